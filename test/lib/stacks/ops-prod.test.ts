import { opsEnvironmentTests } from './ops-environment';

describe('Ops alarms, prod', () => {
  opsEnvironmentTests('prod');
});
