import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { renderRunbook } from '../../../lib/drill/runbook';
import { SCENARIOS } from '../../../lib/drill/scenarios';
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

  it('has a generated runbook for every scenario and no other runbook claiming to be generated', () => {
    const generated = readdirSync(RUNBOOKS).filter((file) =>
      readFileSync(path.join(RUNBOOKS, file), 'utf8').startsWith('<!-- Generated from lib/drill/'),
    );
    expect(generated.sort()).toEqual(
      Object.keys(SCENARIOS)
        .map((name) => `${name}.md`)
        .sort(),
    );
  });
});
