import type { ScenarioDefinition, ScenarioName } from '../definition';
import { pointInTimeRestore } from './point-in-time-restore';
import { primaryLoss } from './primary-loss';

export { pointInTimeRestore, primaryLoss };

/** Every scenario by name. */
export const SCENARIOS: Readonly<Partial<Record<ScenarioName, ScenarioDefinition>>> = {
  'primary-loss': primaryLoss,
  'point-in-time-restore': pointInTimeRestore,
};
