/**
 * Breaking changes between the released contract and the current OpenAPI document
 * (docs/versioning.md, "What is a breaking change"). Operations the released contract marks
 * deprecated with an `x-sunset` date before `today` may change or go.
 */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

function operationsOf(document: Json): Map<string, Json> {
  const operations = new Map<string, Json>();
  for (const [path, item] of Object.entries((document.paths ?? {}) as Json)) {
    for (const method of METHODS) {
      const operation = (item as Json)[method] as Json | undefined;
      if (operation !== undefined) operations.set(`${method.toUpperCase()} ${path}`, operation);
    }
  }
  return operations;
}

function resolve(document: Json, node: Json | undefined): Json | undefined {
  if (node?.$ref === undefined) return node;
  const pointer = (node.$ref as string).replace(/^#\//, '').split('/');
  return pointer.reduce<Json | undefined>(
    (at, key) => at?.[key.replace(/~1/g, '/').replace(/~0/g, '~')],
    document,
  );
}

function typesOf(schema: Json): string {
  if (schema.anyOf) return (schema.anyOf as Json[]).map(typesOf).sort().join('|');
  return `${String(schema.type)}${schema.format ? `:${schema.format}` : ''}`;
}

function isNullable(schema: Json): boolean {
  return schema.type === 'null' || (schema.anyOf as Json[] | undefined)?.some(isNullable) === true;
}

/** Request side: the new schema must accept everything the old one accepted. */
function narrowed(old: Json, now: Json, at: string, out: string[]): void {
  if (typesOf(old) !== typesOf(now)) {
    out.push(`${at}: type ${typesOf(old)} became ${typesOf(now)}`);
    return;
  }
  for (const bound of ['maxLength', 'maximum', 'maxItems'] as const) {
    if (now[bound] !== undefined && (old[bound] === undefined || now[bound] < old[bound]))
      out.push(`${at}: ${bound} lowered from ${String(old[bound])} to ${now[bound]}`);
  }
  for (const bound of ['minLength', 'minimum', 'minItems'] as const) {
    if (now[bound] !== undefined && (old[bound] === undefined || now[bound] > old[bound]))
      out.push(`${at}: ${bound} raised from ${String(old[bound])} to ${now[bound]}`);
  }
  if (old.pattern !== now.pattern && now.pattern !== undefined)
    out.push(`${at}: pattern changed to ${now.pattern}`);
  if (Array.isArray(now.enum)) {
    const removed = ((old.enum ?? []) as unknown[]).filter(
      (value) => !(now.enum as unknown[]).includes(value),
    );
    if (!Array.isArray(old.enum) || removed.length > 0)
      out.push(
        `${at}: value${removed.length === 1 ? '' : 's'} ${JSON.stringify(removed)} no longer accepted`,
      );
  }
  if (old.items && now.items) narrowed(old.items as Json, now.items as Json, `${at}[]`, out);
  if (old.type === 'object' || now.type === 'object') {
    const oldProperties = (old.properties ?? {}) as Json;
    const newProperties = (now.properties ?? {}) as Json;
    const oldRequired = new Set((old.required ?? []) as string[]);
    for (const name of (now.required ?? []) as string[]) {
      if (!oldRequired.has(name)) out.push(`${at}.${name}: new required field`);
    }
    for (const [name, property] of Object.entries(oldProperties)) {
      if (newProperties[name] === undefined)
        out.push(`${at}.${name}: field removed (strict schemas refuse it now)`);
      else narrowed(property as Json, newProperties[name] as Json, `${at}.${name}`, out);
    }
  }
}

/** Response side: the new schema must only give what the old one promised. */
function widened(old: Json, now: Json, at: string, out: string[]): void {
  if (typesOf(old) !== typesOf(now)) {
    if (!isNullable(old) && isNullable(now)) out.push(`${at}: may now be null`);
    else out.push(`${at}: type ${typesOf(old)} became ${typesOf(now)}`);
    return;
  }
  if (Array.isArray(old.enum)) {
    const added = ((now.enum ?? []) as unknown[]).filter((value) => !(old.enum as unknown[]).includes(value));
    if (!Array.isArray(now.enum) || added.length > 0)
      out.push(`${at}: new value${added.length === 1 ? '' : 's'} ${JSON.stringify(added)}`);
  }
  if (old.items && now.items) widened(old.items as Json, now.items as Json, `${at}[]`, out);
  if (old.anyOf && now.anyOf) {
    (old.anyOf as Json[]).forEach((branch, index) => {
      const match = (now.anyOf as Json[])[index];
      if (match !== undefined) widened(branch, match, `${at}|${index}`, out);
    });
  }
  const oldProperties = (old.properties ?? {}) as Json;
  const newProperties = (now.properties ?? {}) as Json;
  const newRequired = new Set((now.required ?? []) as string[]);
  for (const name of (old.required ?? []) as string[]) {
    if (newProperties[name] !== undefined && !newRequired.has(name))
      out.push(`${at}.${name}: no longer always present`);
  }
  for (const [name, property] of Object.entries(oldProperties)) {
    if (newProperties[name] === undefined) out.push(`${at}.${name}: removed`);
    else widened(property as Json, newProperties[name] as Json, `${at}.${name}`, out);
  }
}

function accessOf(operation: Json): { roles: string[]; scopes: string[]; public: boolean } {
  const requirements = (operation.security ?? []) as Json[];
  return {
    public: requirements.length === 0,
    roles: (operation['x-rampart-roles'] ?? []) as string[],
    scopes: requirements.flatMap((requirement) => (requirement.CognitoClient ?? []) as string[]),
  };
}

function operationChanges(released: Json, current: Json, old: Json, now: Json, out: string[]): void {
  const oldAccess = accessOf(old);
  const newAccess = accessOf(now);
  if (oldAccess.public && !newAccess.public) out.push('now requires credentials');
  for (const role of oldAccess.roles)
    if (!newAccess.public && !newAccess.roles.includes(role)) out.push(`role ${role} lost access`);
  for (const scope of oldAccess.scopes)
    if (!newAccess.public && !newAccess.scopes.includes(scope)) out.push(`scope ${scope} lost access`);

  const key = (parameter: Json) => `${parameter.in} ${String(parameter.name).toLowerCase()}`;
  const oldParameters = new Map(
    ((old.parameters ?? []) as Json[]).map((parameter) => [key(parameter), parameter]),
  );
  const newParameters = new Map(
    ((now.parameters ?? []) as Json[]).map((parameter) => [key(parameter), parameter]),
  );
  for (const [name, parameter] of newParameters) {
    const before = oldParameters.get(name);
    if (parameter.required === true && before?.required !== true) out.push(`parameter ${name}: now required`);
    if (before !== undefined)
      narrowed(before.schema as Json, parameter.schema as Json, `parameter ${name}`, out);
  }
  for (const name of oldParameters.keys()) {
    if (!newParameters.has(name) && !name.startsWith('header ')) out.push(`parameter ${name}: removed`);
  }

  const oldBody = old.requestBody?.content?.['application/json']?.schema as Json | undefined;
  const newBody = now.requestBody?.content?.['application/json']?.schema as Json | undefined;
  if (oldBody === undefined && newBody !== undefined && now.requestBody?.required === true)
    out.push('now requires a body');
  if (oldBody !== undefined && newBody !== undefined) narrowed(oldBody, newBody, 'body', out);

  for (const [status, response] of Object.entries((old.responses ?? {}) as Json)) {
    if (!status.startsWith('2')) continue;
    const after = resolve(current, (now.responses ?? {})[status] as Json | undefined);
    if (after === undefined) {
      out.push(`response ${status}: removed`);
      continue;
    }
    const before = resolve(released, response as Json) as Json;
    const oldSchema = before.content?.['application/json']?.schema as Json | undefined;
    const newSchema = after.content?.['application/json']?.schema as Json | undefined;
    if (oldSchema !== undefined && newSchema === undefined) out.push(`response ${status}: body removed`);
    if (oldSchema !== undefined && newSchema !== undefined)
      widened(oldSchema, newSchema, `response ${status}`, out);
    for (const [name, header] of Object.entries((before.headers ?? {}) as Json)) {
      if (
        (header as Json).required === true &&
        (after.headers?.[name] as Json | undefined)?.required !== true
      )
        out.push(`response ${status}: header ${name} no longer always sent`);
    }
  }
}

/** One line per breaking change, `<METHOD> <path>: <what>`; empty when the change is compatible. */
export function breakingChanges(released: Json, current: Json, today: Date): string[] {
  const changes: string[] = [];
  const now = operationsOf(current);
  for (const [name, old] of operationsOf(released)) {
    const sunset =
      old.deprecated === true && typeof old['x-sunset'] === 'string'
        ? Date.parse(old['x-sunset'] as string)
        : NaN;
    if (!Number.isNaN(sunset) && sunset <= today.getTime()) continue;
    const operation = now.get(name);
    if (operation === undefined) {
      changes.push(`${name}: removed`);
      continue;
    }
    const found: string[] = [];
    operationChanges(released, current, old, operation, found);
    changes.push(...found.map((change) => `${name}: ${change}`));
  }
  return changes;
}
