import { opsEnvironmentTests } from './ops-environment';

describe('Ops alarms, dev', () => {
  opsEnvironmentTests('dev');
});
