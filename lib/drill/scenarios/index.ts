import type { ProcedureDefinition, ProcedureName, ScenarioDefinition, ScenarioName } from '../definition';
import { azFailover } from './az-failover';
import { pointInTimeRestore } from './point-in-time-restore';
import { primaryLoss } from './primary-loss';
import { regionFailback } from './region-failback';
import { regionFailover } from './region-failover';

export { azFailover, pointInTimeRestore, primaryLoss, regionFailback, regionFailover };

/** Every scenario by name, in the order the runbooks list them. */
export const SCENARIOS: Readonly<Record<ScenarioName, ScenarioDefinition>> = {
  'az-failover': azFailover,
  'point-in-time-restore': pointInTimeRestore,
  'region-failover': regionFailover,
  'primary-loss': primaryLoss,
};

/** Every procedure (a runbook from steps, not a drill) by name. */
export const PROCEDURES: Readonly<Record<ProcedureName, ProcedureDefinition>> = {
  'region-failback': regionFailback,
};
