import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createJwksFetcher } from '../../../../lambda/functions/jwks-fetcher/handler';
import { lambdaContext } from '../../../fixtures/lambda-context';

/** The custom resource answers CloudFormation for real: a local HTTP receiver plays the S3 URL. */

let received: { method?: string; body: Record<string, unknown> }[] = [];
const server = createServer((req: IncomingMessage, res) => {
  let text = '';
  req.on('data', (chunk) => (text += chunk));
  req.on('end', () => {
    received.push({ method: req.method, body: JSON.parse(text) as Record<string, unknown> });
    res.end();
  });
});
let responseUrl: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  responseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/presigned`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
beforeEach(() => (received = []));

function cfnEvent(requestType: 'Create' | 'Update' | 'Delete'): CloudFormationCustomResourceEvent {
  return {
    RequestType: requestType,
    ServiceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:jwks',
    ResponseURL: responseUrl,
    StackId: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/Rampart-dev-Api/1',
    RequestId: 'req-1',
    LogicalResourceId: 'Jwks',
    ResourceType: 'Custom::Jwks',
    ResourceProperties: {
      ServiceToken: 'x',
      JwksUrl: 'https://cognito-idp.eu-west-1.amazonaws.com/pool/.well-known/jwks.json',
    },
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: 'jwks-old' }),
  } as CloudFormationCustomResourceEvent;
}

const jwksBody = JSON.stringify({ keys: [{ kty: 'RSA', kid: 'k1', n: 'n', e: 'AQAB' }] });

test('Create answers SUCCESS with the JWKS as data', async () => {
  const fetcher = createJwksFetcher(async () => ({ ok: true, status: 200, text: async () => jwksBody }));
  await fetcher(cfnEvent('Create'), lambdaContext());
  expect(received).toHaveLength(1);
  expect(received[0].method).toBe('PUT');
  expect(received[0].body).toMatchObject({
    Status: 'SUCCESS',
    RequestId: 'req-1',
    LogicalResourceId: 'Jwks',
    Data: { Jwks: JSON.stringify({ keys: [{ kty: 'RSA', kid: 'k1', n: 'n', e: 'AQAB' }] }) },
  });
});

test('a fetch failure answers FAILED with the reason, so the deploy stops instead of hanging', async () => {
  const fetcher = createJwksFetcher(async () => ({ ok: false, status: 404, text: async () => '' }));
  await fetcher(cfnEvent('Update'), lambdaContext());
  expect(received[0].body).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/answered 404/) });
});

test('Delete answers SUCCESS without fetching', async () => {
  const fetch = jest.fn();
  await createJwksFetcher(fetch)(cfnEvent('Delete'), lambdaContext());
  expect(fetch).not.toHaveBeenCalled();
  expect(received[0].body).toMatchObject({ Status: 'SUCCESS', Data: {} });
});
