import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { renderMarkdownReport, writeReports } from '../../../lib/drill/report';
import type { DrillReport } from '../../../lib/drill/runner';

const failed: DrillReport = {
  scenario: 'point-in-time-restore',
  environment: 'local',
  target: 'local rehearsal',
  startedAt: '2026-06-01T09:00:00.000Z',
  finishedAt: '2026-06-01T09:00:30.000Z',
  targets: { rtoSeconds: 60, rpoSeconds: 2 },
  faultAt: '2026-06-01T09:00:05.000Z',
  achievedRtoSeconds: null,
  achievedRpoSeconds: 3.25,
  lostAcknowledgedWrites: 3,
  acknowledgedWritesBeforeFault: 6,
  lostWritesAfterFault: 2,
  heartbeats: {
    rounds: 25,
    healthy: 6,
    firstFailureAt: '2026-06-01T09:00:06.000Z',
    recoveredAt: null,
    samples: [],
  },
  steps: [
    {
      id: 'verify-restored-data',
      phase: 'recover',
      title: 'Check the restored data',
      startedAt: '2026-06-01T09:00:09.000Z',
      endedAt: '2026-06-01T09:00:09.020Z',
      outcome: 'failed',
      detail: 'newest | 3.25 s before',
    },
    {
      id: 'verify-service',
      phase: 'recover',
      title: 'Verify',
      startedAt: null,
      endedAt: null,
      outcome: 'not run',
      detail: '',
    },
  ],
  passed: false,
  failures: ['Step verify-restored-data failed its verification (v): newest 3.25 s before'],
};

describe('drill reports', () => {
  it('renders the verdict, each figure against its target, the timeline and why it failed', () => {
    const text = renderMarkdownReport(failed);
    expect(text).toContain('# Drill point-in-time-restore on local: FAILED');
    expect(text).toContain(
      '| RTO (fault to first sustained healthy heartbeat) | not achieved | 60 s | MISSED |',
    );
    expect(text).toContain(
      '| RPO (fault minus newest surviving acknowledged heartbeat) | 3.25 s | 2 s | MISSED |',
    );
    expect(text).toContain('| acknowledged writes lost (of 6 before the fault) | 3 | 0 | MISSED |');
    expect(text).toContain('2 written after the fault are gone');
    expect(text).toContain(
      '| 1 | recover | verify-restored-data | 2026-06-01T09:00:09.000Z | 2026-06-01T09:00:09.020Z | failed | newest \\| 3.25 s before |',
    );
    expect(text).toContain('| 2 | recover | verify-service | - | - | not run |  |');
    expect(text).toContain(
      '## Why it failed\n\n- Step verify-restored-data failed its verification (v): newest 3.25 s before\n',
    );
  });

  it('marks met figures and leaves out the failure section when the drill passed', () => {
    const passed: DrillReport = {
      ...failed,
      achievedRtoSeconds: 2.5,
      achievedRpoSeconds: 0.3,
      lostAcknowledgedWrites: 0,
      lostWritesAfterFault: 0,
      passed: true,
      failures: [],
    };
    const text = renderMarkdownReport(passed);
    expect(text).toContain('on local: PASSED');
    expect(text).toContain('| 2.5 s | 60 s | met |');
    expect(text).toContain('| 0.3 s | 2 s | met |');
    expect(text).not.toContain('Why it failed');
  });

  it('writes the JSON and the Markdown side by side, named by start, environment and scenario', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rampart-drill-reports-'));
    try {
      const written = writeReports(failed, dir);
      expect(path.basename(written.json)).toBe('2026-06-01T09-00-00-000Z-local-point-in-time-restore.json');
      expect(JSON.parse(readFileSync(written.json, 'utf8'))).toEqual(failed);
      expect(readFileSync(written.markdown, 'utf8')).toBe(renderMarkdownReport(failed));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
