import type { PreflightReport, PreflightStep, StepPhase, StepStatus } from './preflight';

const MARKS: Record<StepStatus, string> = {
  ok: '[x]',
  missing: '[!]',
  unchecked: '[?]',
  manual: '[ ]',
};

const PHASES: Record<StepPhase, string> = {
  before: 'Before the first deploy',
  during: 'During the first deploy',
  after: 'After the first deploy',
};

const LEGEND = '[x] checked  [!] missing  [?] not checked  [ ] yours to do';

function stepLines(step: PreflightStep): string[] {
  return [
    `  ${MARKS[step.status]} ${step.title}${step.detail ? ` (${step.detail})` : ''}`,
    ...step.how.map((line) => `      ${line}`),
  ];
}

/** The report as the terminal shows it: problems first, then the prerequisites by phase. */
export function formatReport(report: PreflightReport): string {
  const command = `npm run preflight -- -c env=${report.environment}`;
  const lines = [
    `Rampart preflight: ${report.environment} (account ${report.account}, ${report.region})`,
    report.aws.ran
      ? `AWS checks: run with credentials for account ${report.aws.account}.`
      : `AWS checks: not run (${report.aws.reason}); the prerequisites are a checklist.`,
    '',
  ];
  if (report.problems.length > 0) {
    lines.push(`${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}:`);
    report.problems.forEach((problem, index) => lines.push(`  ${index + 1}. ${problem.message}`));
    lines.push('');
  }
  lines.push(`Prerequisites, in order (${LEGEND}):`);
  for (const phase of Object.keys(PHASES) as StepPhase[]) {
    const steps = report.steps.filter((step) => step.phase === phase);
    if (steps.length === 0) continue;
    lines.push(`${PHASES[phase]}:`, ...steps.flatMap(stepLines));
  }
  lines.push('');
  const unchecked = report.steps.filter((step) => step.status === 'unchecked').length;
  if (report.problems.length > 0) {
    lines.push(`Not ready: ${report.problems.length} problem(s) above. Fix them and run ${command} again.`);
  } else if (unchecked > 0) {
    lines.push(
      `No problems in the config. ${unchecked} prerequisite(s) not checked: run ${command} with credentials for account ${report.account} to check them.`,
    );
  } else {
    lines.push('Ready: no problems found.');
  }
  return lines.join('\n');
}
