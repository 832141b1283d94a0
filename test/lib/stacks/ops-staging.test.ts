import { opsEnvironmentTests } from './ops-environment';

describe('Ops alarms, staging', () => {
  opsEnvironmentTests('staging');
});
