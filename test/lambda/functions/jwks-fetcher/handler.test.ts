import type { CdkCustomResourceEvent } from 'aws-lambda';
import { createJwksFetcher } from '../../../../lambda/functions/jwks-fetcher/handler';
import type { Fetch } from '../../../../lambda/domain/deploy/jwks';

/**
 * The onEvent handler of CDK's provider framework: it returns the resource's physical id and data,
 * or throws (the framework then answers FAILED with the message). It never talks to CloudFormation.
 */

const JWKS_URL = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_pool/.well-known/jwks.json';

function cfnEvent(requestType: 'Create' | 'Update' | 'Delete'): CdkCustomResourceEvent {
  const common = {
    ServiceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:framework-onEvent',
    // The framework passes CloudFormation's URL through; the handler must not use it.
    ResponseURL: 'https://cloudformation-custom-resource-response.s3.amazonaws.com/presigned',
    StackId: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/Rampart-dev-Api/1',
    RequestId: 'req-1',
    LogicalResourceId: 'UserPoolJwks189645FF',
    ResourceType: 'Custom::Jwks',
    ResourceProperties: { ServiceToken: 'x', JwksUrl: JWKS_URL, Revision: '2' },
  };
  if (requestType === 'Create') return { ...common, RequestType: 'Create' };
  if (requestType === 'Update') {
    return {
      ...common,
      RequestType: 'Update',
      PhysicalResourceId: `jwks-${JWKS_URL}`,
      OldResourceProperties: { ServiceToken: 'x', JwksUrl: JWKS_URL, Revision: '1' },
    };
  }
  return { ...common, RequestType: 'Delete', PhysicalResourceId: 'jwks-https://old-pool' };
}

const jwksBody = JSON.stringify({
  keys: [{ kty: 'RSA', kid: 'k1', n: 'n', e: 'AQAB', alg: 'RS256', use: 'sig', x5c: ['dropped'] }],
});

function answering(body: string, status = 200): jest.MockedFunction<Fetch> {
  return jest.fn<ReturnType<Fetch>, Parameters<Fetch>>(async () => ({
    ok: status < 300,
    status,
    text: async () => body,
  }));
}

test('Create returns the JWKS (reduced to what verification needs) as data, under a physical id naming the URL', async () => {
  const fetch = answering(jwksBody);
  await expect(createJwksFetcher(fetch)(cfnEvent('Create'))).resolves.toEqual({
    PhysicalResourceId: `jwks-${JWKS_URL}`,
    Data: {
      Jwks: JSON.stringify({
        keys: [{ kty: 'RSA', kid: 'k1', n: 'n', e: 'AQAB', alg: 'RS256', use: 'sig' }],
      }),
    },
  });
  expect(fetch).toHaveBeenCalledTimes(1);
  expect(fetch).toHaveBeenCalledWith(JWKS_URL, { signal: expect.any(AbortSignal) });
});

test('Update (a new revision) fetches again and keeps the physical id', async () => {
  const fetch = answering(jwksBody);
  const response = await createJwksFetcher(fetch)(cfnEvent('Update'));
  expect(response.PhysicalResourceId).toBe(`jwks-${JWKS_URL}`);
  expect(fetch).toHaveBeenCalledTimes(1);
});

test('a fetch failure throws with the reason, which the framework sends CloudFormation as FAILED', async () => {
  await expect(createJwksFetcher(answering('', 404))(cfnEvent('Update'))).rejects.toThrow(
    `JWKS fetch from ${JWKS_URL} answered 404`,
  );
  await expect(createJwksFetcher(answering('{"keys":[]}'))(cfnEvent('Create'))).rejects.toThrow(
    `JWKS at ${JWKS_URL} has no RSA signing keys`,
  );
});

test('a JWKS endpoint that never answers is given up after 5 s, well inside the function timeout', async () => {
  jest.useFakeTimers();
  try {
    const hanging: Fetch = (_url, { signal }) =>
      new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
    const outcome = createJwksFetcher(hanging)(cfnEvent('Create')).then(
      () => 'resolved',
      (error: Error) => error.message,
    );
    await jest.advanceTimersByTimeAsync(4_999);
    await expect(Promise.race([outcome, Promise.resolve('pending')])).resolves.toBe('pending');
    await jest.advanceTimersByTimeAsync(1);
    await expect(outcome).resolves.toBe('aborted');
  } finally {
    jest.useRealTimers();
  }
});

test('Delete fetches nothing and returns the physical id it was given', async () => {
  const fetch = jest.fn();
  await expect(createJwksFetcher(fetch)(cfnEvent('Delete'))).resolves.toEqual({
    PhysicalResourceId: 'jwks-https://old-pool',
  });
  expect(fetch).not.toHaveBeenCalled();
});
