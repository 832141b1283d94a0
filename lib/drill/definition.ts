/**
 * The step-definition model: each DR scenario is declared once, as an ordered list of steps. The
 * runner executes it through an adapter (AWS or the local rehearsal) and the runbook in
 * runbooks/dr/<scenario>.md is rendered from it, so what people follow in an incident is what the
 * drill rehearsed.
 */

import type { RecoveryConfig } from '../config';

/** The failure kinds `config.recovery` declares objectives for. */
export type FailureKind = Exclude<keyof RecoveryConfig, 'strategy'>;

export const SCENARIO_NAMES = [
  'az-failover',
  'point-in-time-restore',
  'region-failover',
  'primary-loss',
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/**
 * - `prepare`: a precondition checked before anything is broken (in an incident: before acting).
 * - `fault`: what the drill breaks on purpose; never part of an incident (the runbook says so).
 * - `recover`: what the on-call engineer does in an incident, in this order.
 */
export type StepPhase = 'prepare' | 'fault' | 'recover';

/** Who decides to go on to the next step. */
export type Decider = 'drill lead' | 'incident commander' | 'on-call engineer' | 'database owner';

export interface StepDefinition {
  /** Stable kebab-case id; adapters implement steps by id. */
  readonly id: string;
  readonly phase: StepPhase;
  /** Imperative, one line. */
  readonly title: string;
  /** What the step does (the action). */
  readonly action: string;
  /** How its success is verified (the runner stops when this fails). */
  readonly verification: string;
  /** How to undo the step when the drill or the recovery is abandoned here. */
  readonly rollback: string;
  /** Who decides to go on once the verification passed. */
  readonly decides: Decider;
  /** The step's action and verification together must finish within this. */
  readonly timeoutSeconds: number;
  /**
   * Commands an engineer runs by hand for this step in an incident (shell, `aws` CLI), rendered
   * in the runbook; the AWS adapter sends the same requests through the SDK.
   * @default - none: the action text says what to do
   */
  readonly commands?: readonly string[];
}

export interface ScenarioDefinition {
  readonly name: ScenarioName;
  readonly title: string;
  /** When to use it (first paragraph of the runbook). */
  readonly useWhen: string;
  /** Which failure kind's recovery objectives apply on AWS (`config.recovery.<failureKind>`). */
  readonly failureKind: FailureKind;
  /** Shell variables the commands use, with how to obtain them. */
  readonly variables?: readonly { readonly name: string; readonly value: string; readonly meaning: string }[];
  readonly steps: readonly StepDefinition[];
  /** What remains after the last step (clean-up, follow-ups), rendered at the end of the runbook. */
  readonly afterwards: readonly string[];
}

/** Step ids unique and kebab-case, phases in order, timeouts positive, at least one recover step. */
function checkSteps(name: string, steps: readonly StepDefinition[]): void {
  const ids = new Set<string>();
  let seen: StepPhase = 'prepare';
  const order: Record<StepPhase, number> = { prepare: 0, fault: 1, recover: 2 };
  for (const step of steps) {
    if (!/^[a-z][a-z0-9-]*$/.test(step.id))
      throw new Error(`${name}: step id "${step.id}" is not kebab-case`);
    if (ids.has(step.id)) throw new Error(`${name}: step id "${step.id}" is declared twice`);
    ids.add(step.id);
    if (order[step.phase] < order[seen])
      throw new Error(`${name}: ${step.phase} step "${step.id}" comes after a ${seen} step`);
    seen = step.phase;
    if (!(step.timeoutSeconds > 0)) throw new Error(`${name}: step "${step.id}" needs a positive timeout`);
  }
  if (!steps.some((step) => step.phase === 'recover')) throw new Error(`${name}: has no recover step`);
}

/** Declares a scenario and checks its shape: ids unique and kebab-case, exactly one fault step before every recover step. */
export function defineScenario<const T extends ScenarioDefinition>(scenario: T): T {
  checkSteps(scenario.name, scenario.steps);
  const faults = scenario.steps.filter((step) => step.phase === 'fault');
  if (faults.length !== 1)
    throw new Error(`${scenario.name}: needs exactly one fault step, has ${faults.length}`);
  return scenario;
}

export const PROCEDURE_NAMES = ['region-failback'] as const;
export type ProcedureName = (typeof PROCEDURE_NAMES)[number];

/**
 * A DR procedure that is not a drill scenario: nothing is broken on purpose and nothing is measured
 * from a fault (a failback is a planned switch in a maintenance window). Its steps are declared
 * like a scenario's and its runbook rendered the same way (lib/drill/runbook.ts), without the
 * fault section; its AWS steps are functions of lib/dr.
 */
export interface ProcedureDefinition extends Omit<ScenarioDefinition, 'name' | 'failureKind'> {
  readonly name: ProcedureName;
  /** The lib/dr file whose functions the steps call (named in the runbook). */
  readonly stepsFile: string;
}

/** Declares a procedure and checks its shape: as a scenario's steps, with no fault step. */
export function defineProcedure<const T extends ProcedureDefinition>(procedure: T): T {
  checkSteps(procedure.name, procedure.steps);
  const faults = procedure.steps.filter((step) => step.phase === 'fault');
  if (faults.length > 0)
    throw new Error(
      `${procedure.name}: a procedure breaks nothing on purpose, but has fault step "${faults[0].id}"`,
    );
  return procedure;
}

/** Step ids of a scenario, as a type, so an adapter that misses one does not compile. */
export type StepId<S extends ScenarioDefinition> = S['steps'][number]['id'];
