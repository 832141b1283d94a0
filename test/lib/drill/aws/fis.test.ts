import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signedFisApi } from '../../../../lib/drill/aws/fis';

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** A local receiver standing in for the FIS endpoint: records each request, answers from a script. */
async function receiver(answers: readonly { status: number; body: unknown }[]) {
  const received: Received[] = [];
  let index = 0;
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({ method: request.method!, url: request.url!, headers: request.headers, body });
      const answer = answers[index++] ?? { status: 500, body: {} };
      response
        .writeHead(answer.status, { 'content-type': 'application/json' })
        .end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    received,
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

const credentials = async () => ({
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
});
const SIGNED =
  /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/fis\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/;

describe('signedFisApi (no @aws-sdk/client-fis at the pinned SDK release)', () => {
  it('sends ListExperimentTemplates, StartExperiment and GetExperiment as signed REST-JSON', async () => {
    const fis = await receiver([
      {
        status: 200,
        body: {
          experimentTemplates: [{ id: 'EXT1', tags: { 'rampart:drill': 'az-failover' } }, { id: 'EXT2' }],
        },
      },
      { status: 200, body: { experiment: { id: 'EXP1', state: { status: 'initiating' } } } },
      {
        status: 200,
        body: { experiment: { id: 'EXP1', state: { status: 'failed', reason: 'target not found' } } },
      },
    ]);
    try {
      const api = signedFisApi({ region: 'eu-west-1', credentials, endpoint: fis.endpoint });
      expect(await api.listExperimentTemplates()).toEqual([
        { id: 'EXT1', tags: { 'rampart:drill': 'az-failover' } },
        { id: 'EXT2', tags: {} },
      ]);
      expect(
        await api.startExperiment({
          experimentTemplateId: 'EXT1',
          clientToken: 'run-1',
          tags: { 'rampart:drill-run': 'run-1' },
        }),
      ).toBe('EXP1');
      expect(await api.getExperiment('EXP1')).toEqual({ status: 'failed', reason: 'target not found' });

      expect(fis.received.map(({ method, url, body }) => ({ method, url, body }))).toEqual([
        { method: 'GET', url: '/experimentTemplates', body: '' },
        {
          method: 'POST',
          url: '/experiments',
          body: JSON.stringify({
            clientToken: 'run-1',
            experimentTemplateId: 'EXT1',
            tags: { 'rampart:drill-run': 'run-1' },
          }),
        },
        { method: 'GET', url: '/experiments/EXP1', body: '' },
      ]);
      for (const request of fis.received) {
        expect(request.headers.authorization).toMatch(SIGNED);
        expect(request.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
      }
      expect(fis.received[1].headers['content-type']).toBe('application/json');
    } finally {
      await fis.close();
    }
  });

  it('refuses a second page of templates instead of reading half of them', async () => {
    const fis = await receiver([
      { status: 200, body: { experimentTemplates: [{ id: 'EXT1' }], nextToken: 'page-2' } },
    ]);
    try {
      const api = signedFisApi({ region: 'eu-west-1', credentials, endpoint: fis.endpoint });
      await expect(api.listExperimentTemplates()).rejects.toThrow(
        'FIS returned more than one page of experiment templates; the drill reads one page',
      );
    } finally {
      await fis.close();
    }
  });

  it("turns an error answer into an error with the status and the service's message", async () => {
    const fis = await receiver([{ status: 400, body: { message: 'Template EXT9 not found' } }]);
    try {
      const api = signedFisApi({ region: 'eu-west-1', credentials, endpoint: fis.endpoint });
      await expect(
        api.startExperiment({ experimentTemplateId: 'EXT9', clientToken: 't', tags: {} }),
      ).rejects.toThrow('Http400 (HTTP 400): Template EXT9 not found');
    } finally {
      await fis.close();
    }
  });
});
