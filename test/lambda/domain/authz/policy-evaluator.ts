import type { PolicyDocument } from 'aws-lambda';

/**
 * A tiny, independent IAM evaluator for execute-api policies (the test oracle): an explicit Deny
 * wins, otherwise any matching Allow allows, otherwise implicit deny. `*` matches any run of
 * characters (including `/`), `?` exactly one, as in IAM resource ARNs.
 */
export function evaluatePolicy(document: PolicyDocument, methodArn: string): 'allow' | 'deny' {
  let allowed = false;
  for (const statement of document.Statement) {
    const actions = 'Action' in statement ? [statement.Action].flat() : [];
    if (!actions.some((action) => matches(action, 'execute-api:Invoke'))) continue;
    // Rampart's policies never use NotResource or NotAction; treat them as matching nothing.
    const resources = 'Resource' in statement ? [statement.Resource ?? []].flat() : [];
    if (!resources.some((resource) => matches(resource, methodArn))) continue;
    if (statement.Effect === 'Deny') return 'deny';
    allowed = true;
  }
  return allowed ? 'allow' : 'deny';
}

function matches(pattern: string, value: string): boolean {
  // Iterative glob match with backtracking on the last `*`.
  let p = 0;
  let v = 0;
  let star = -1;
  let mark = 0;
  while (v < value.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === value[v])) {
      p += 1;
      v += 1;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p;
      mark = v;
      p += 1;
    } else if (star >= 0) {
      p = star + 1;
      mark += 1;
      v = mark;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p += 1;
  return p === pattern.length;
}
