import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DrillReport } from './runner';

const figure = (value: number | null) => (value === null ? 'not achieved' : `${value} s`);
const verdict = (value: number | null, target: number) =>
  value !== null && value <= target ? 'met' : 'MISSED';

/** The Markdown report: verdict, figures against targets, the step timeline, and why it failed. */
export function renderMarkdownReport(report: DrillReport): string {
  const lines = [
    `# Drill ${report.scenario} on ${report.environment}: ${report.passed ? 'PASSED' : 'FAILED'}`,
    '',
    `Target: ${report.target}  `,
    `From ${report.startedAt} to ${report.finishedAt}; fault at ${report.faultAt ?? 'never (stopped before it)'}.`,
    '',
    '| figure | achieved | target | |',
    '|---|---|---|---|',
    `| RTO (fault to first sustained healthy heartbeat) | ${figure(report.achievedRtoSeconds)} | ${report.targets.rtoSeconds} s | ${verdict(report.achievedRtoSeconds, report.targets.rtoSeconds)} |`,
    `| RPO (fault minus newest surviving acknowledged heartbeat) | ${figure(report.achievedRpoSeconds)} | ${report.targets.rpoSeconds} s | ${verdict(report.achievedRpoSeconds, report.targets.rpoSeconds)} |`,
    `| acknowledged writes lost (of ${report.acknowledgedWritesBeforeFault} before the fault) | ${report.lostAcknowledgedWrites} | 0 | ${report.lostAcknowledgedWrites === 0 ? 'met' : 'MISSED'} |`,
    '',
    `Heartbeats: ${report.heartbeats.rounds} rounds, ${report.heartbeats.healthy} healthy; first failure ${report.heartbeats.firstFailureAt ?? '-'}, recovered ${report.heartbeats.recoveredAt ?? '-'}` +
      (report.lostWritesAfterFault > 0
        ? `; ${report.lostWritesAfterFault} written after the fault are gone (expected when restoring to the moment before it).`
        : '.'),
    '',
    '## Timeline',
    '',
    '| # | phase | step | start | end | outcome | detail |',
    '|---|---|---|---|---|---|---|',
    ...report.steps.map(
      (step, index) =>
        `| ${index + 1} | ${step.phase} | ${step.id} | ${step.startedAt ?? '-'} | ${step.endedAt ?? '-'} | ${step.outcome} | ${step.detail.replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`,
    ),
  ];
  if (report.failures.length > 0)
    lines.push('', '## Why it failed', '', ...report.failures.map((failure) => `- ${failure}`));
  return `${lines.join('\n')}\n`;
}

/** Writes `<dir>/<timestamp>-<env>-<scenario>.json` and `.md`; returns both paths. */
export function writeReports(report: DrillReport, dir: string): { json: string; markdown: string } {
  mkdirSync(dir, { recursive: true });
  const base = path.join(
    dir,
    `${report.startedAt.replace(/[:.]/g, '-')}-${report.environment}-${report.scenario}`,
  );
  const json = `${base}.json`;
  const markdown = `${base}.md`;
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(markdown, renderMarkdownReport(report));
  return { json, markdown };
}
