import { apiEvent } from '../../../fixtures/api-gateway-event';
import { captureStdout } from '../../../fixtures/captured-output';
import { invoke } from '../../../fixtures/invoke';
import { publicStatus } from '../../../fixtures/test-routes';

// Its own file: jest gives each file fresh modules, so the first invocation here is a cold start.
// Powertools only reports cold starts for on-demand environments, which Lambda announces in this
// variable; it must be set before the Powertools instances are created, hence the late import.
it('emits the ColdStart metric on the first invocation only, even when it fails', async () => {
  process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
  const { api } = await import('../../../../lambda/shared/http/api');
  const output = captureStdout();
  try {
    const handler = api(publicStatus, () => {
      throw new Error('first call fails');
    });
    await invoke(handler, apiEvent({ path: '/api/v1/status', authorizer: null }));
    await invoke(handler, apiEvent({ path: '/api/v1/status', authorizer: null }));
    const coldStarts = output.lines().filter((line) => line.ColdStart !== undefined);
    expect(coldStarts).toHaveLength(1);
    expect(coldStarts[0]).toMatchObject({ ColdStart: 1, function_name: 'rampart-dev-projects' });
    // Nothing else: the failures recorded no metric of their own.
    expect(output.lines().filter((line) => line._aws !== undefined)).toHaveLength(1);
  } finally {
    output.restore();
    delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
  }
});
