import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { defineProcedure } from '../../../lib/drill/definition';
import { renderProcedureRunbook, renderRunbook } from '../../../lib/drill/runbook';
import { PROCEDURES, regionFailback, SCENARIOS } from '../../../lib/drill/scenarios';
import { azFailover } from '../../../lib/drill/scenarios/az-failover';

const RUNBOOKS = path.resolve(__dirname, '../../../runbooks/dr');

describe('runbooks generated from the drill definitions', () => {
  it.each(Object.values(SCENARIOS).map((scenario) => [scenario.name, scenario] as const))(
    // `prettier --check` in npm test keeps the rendering in prettier's form: the files are both.
    'runbooks/dr/%s.md is exactly what its definition renders (npm run drill -- --write-runbooks)',
    (name, scenario) => {
      expect(readFileSync(path.join(RUNBOOKS, `${name}.md`), 'utf8')).toBe(renderRunbook(scenario));
    },
  );

  it('lists every step, in order, with its verification, rollback and who decides', () => {
    const text = renderRunbook(azFailover);
    let from = 0;
    for (const [index, step] of azFailover.steps.entries()) {
      const at = text.indexOf(
        `${index + 1}. **${step.title}** (\`${step.id}\`, at most ${step.timeoutSeconds} s)`,
        from,
      );
      expect(at).toBeGreaterThan(from);
      for (const line of [
        `Verify: ${step.verification}.`,
        `Roll back: ${step.rollback}`,
        `Decides to go on: ${step.decides}.`,
      ])
        expect(text.indexOf(line, at)).toBeGreaterThan(at);
      from = at;
    }
    expect(text).toContain('**In an incident, skip it**');
  });

  it('has a generated runbook for every scenario and procedure and no other runbook claiming to be generated', () => {
    const generated = readdirSync(RUNBOOKS).filter((file) =>
      readFileSync(path.join(RUNBOOKS, file), 'utf8').startsWith('<!-- Generated from lib/drill/'),
    );
    expect(generated.sort()).toEqual(
      [...Object.keys(SCENARIOS), ...Object.keys(PROCEDURES)].map((name) => `${name}.md`).sort(),
    );
  });
});

describe('procedures: runbooks from steps, not drills (region-failback)', () => {
  it.each(Object.values(PROCEDURES).map((procedure) => [procedure.name, procedure] as const))(
    'runbooks/dr/%s.md is exactly what its definition renders',
    (name, procedure) => {
      expect(readFileSync(path.join(RUNBOOKS, `${name}.md`), 'utf8')).toBe(renderProcedureRunbook(procedure));
    },
  );

  it('says it is no drill, names the file of its AWS steps and has no fault section', () => {
    const text = renderProcedureRunbook(regionFailback);
    expect(text).toContain('Not a drill scenario: nothing is broken on purpose');
    expect(text).toContain('`lib/dr/failback.ts`, tested on their exact requests');
    expect(text).not.toContain('The fault (drills only)');
    expect(text).toContain('## Before you act');
    expect(text).toContain('## Recover');
  });

  it('every lib/dr failback function it names exists, and every one of them is named', async () => {
    const failback = await import('../../../lib/dr/failback');
    const named = new Set(
      regionFailback.steps.flatMap((step) => [...step.action.matchAll(/`([a-zA-Z]+)`/g)].map((m) => m[1])),
    );
    const stepFunctions = Object.entries(failback)
      .filter(([name, value]) => typeof value === 'function' && name !== 'primaryReplicaRequest')
      .map(([name]) => name);
    for (const name of stepFunctions) expect(named).toContain(name);
    for (const name of ['switchTrafficToPrimary', 'disableStandbySchedules']) expect(named).toContain(name);
  });

  it('refuses a fault step: a procedure breaks nothing on purpose', () => {
    expect(() =>
      defineProcedure({
        ...regionFailback,
        steps: [
          { ...regionFailback.steps[1], id: 'break-it', phase: 'fault' },
          ...regionFailback.steps.slice(2),
        ],
      }),
    ).toThrow('region-failback: a procedure breaks nothing on purpose, but has fault step "break-it"');
  });
});
