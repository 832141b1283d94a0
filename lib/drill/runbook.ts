import type { ProcedureDefinition, ScenarioDefinition, StepDefinition, StepPhase } from './definition';

/** Where each scenario's or procedure's definition lives (named in the generated runbook's header). */
const DEFINITION_FILE = (scenario: { readonly name: string }) => `lib/drill/scenarios/${scenario.name}.ts`;

const SECTIONS: readonly { readonly phase: StepPhase; readonly heading: string; readonly note?: string }[] = [
  { phase: 'prepare', heading: 'Before you act', note: 'Check these first; stop if one fails.' },
  {
    phase: 'fault',
    heading: 'The fault (drills only)',
    note: 'In a drill this step causes the failure on purpose. **In an incident, skip it**: the failure already happened.',
  },
  { phase: 'recover', heading: 'Recover' },
];

function renderStep(step: StepDefinition, number: number): string {
  const marker = `${number}. `;
  // Markdown continues a list item at the width of its marker (3 up to step 9, 4 from step 10).
  const indent = ' '.repeat(marker.length);
  const lines = [
    `${marker}**${step.title}** (\`${step.id}\`, at most ${step.timeoutSeconds} s)`,
    `${indent}- Do: ${step.action}`,
    `${indent}- Verify: ${step.verification}.`,
    `${indent}- Roll back: ${step.rollback}`,
    `${indent}- Decides to go on: ${step.decides}.`,
  ];
  if (step.commands !== undefined && step.commands.length > 0)
    lines.push(
      '',
      `${indent}\`\`\`sh`,
      ...step.commands.map((command) => `${indent}${command}`),
      `${indent}\`\`\``,
    );
  return lines.join('\n');
}

/**
 * The runbook of a scenario, rendered from its definition: the same steps, in the same order,
 * with the same verifications the drill runs. runbooks/dr/<scenario>.md holds this text, and
 * test/lib/drill/runbook.test.ts fails when the file and the definition disagree
 * (`npm run drill -- --write-runbooks` rewrites the files).
 */
export function renderRunbook(scenario: ScenarioDefinition): string {
  return render(
    scenario,
    `Recovery objectives: \`recovery.${scenario.failureKind}\` of the environment's config (docs/dr.md). ` +
      `Rehearse this runbook with \`npm run drill -- --env staging --scenario ${scenario.name}\`; a drill follows exactly these steps ` +
      'and measures the achieved RTO and RPO (docs/drills.md).',
  );
}

/** The runbook of a procedure (no fault, no drill run): the same rendering, its own introduction. */
export function renderProcedureRunbook(procedure: ProcedureDefinition): string {
  return render(
    procedure,
    `Not a drill scenario: nothing is broken on purpose and \`npm run drill\` does not run it. Its AWS steps are the ` +
      `functions of \`${procedure.stepsFile}\`, tested on their exact requests; the commands below send the same requests.`,
  );
}

function render(scenario: ScenarioDefinition | ProcedureDefinition, introduction: string): string {
  const out: string[] = [
    `<!-- Generated from ${DEFINITION_FILE(scenario)} by \`npm run drill -- --write-runbooks\`. Edit the definition, not this file. -->`,
    '',
    `# ${scenario.title}`,
    '',
    scenario.useWhen,
    '',
    introduction,
  ];
  if (scenario.variables !== undefined && scenario.variables.length > 0) {
    out.push(
      '',
      '## Set these first',
      '',
      '```sh',
      ...scenario.variables.map(
        (variable) => `export ${variable.name}=${variable.value}   # ${variable.meaning}`,
      ),
      '```',
    );
  }
  let number = 0;
  for (const section of SECTIONS) {
    const steps = scenario.steps.filter((step) => step.phase === section.phase);
    if (steps.length === 0) continue;
    out.push('', `## ${section.heading}`, '');
    if (section.note !== undefined) out.push(section.note, '');
    out.push(steps.map((step) => renderStep(step, (number += 1))).join('\n\n'));
  }
  out.push('', '## Afterwards', '', ...scenario.afterwards.map((line) => `- ${line}`));
  return `${out.join('\n')}\n`;
}
