import type { IncomingMessage } from 'node:http';
import { requestParts } from '../../../lib/local/proxy-event';
import { viewerAddress } from '../../../lambda/shared/http/viewer-address';

/** The parts of a Node request `requestParts` reads. */
function nodeRequest(rawHeaders: string[], remoteAddress = '203.0.113.9'): IncomingMessage {
  return {
    url: '/api/v1/auth/login',
    method: 'POST',
    rawHeaders,
    socket: { remoteAddress },
  } as unknown as IncomingMessage;
}

describe('X-Forwarded-For as CloudFront and API Gateway build it', () => {
  test('the viewer is the socket peer, whatever the client wrote (as behind CloudFront)', () => {
    const parts = requestParts(
      nodeRequest(['X-Forwarded-For', '198.51.100.7', 'x-forwarded-for', '192.0.2.1, 192.0.2.2']),
      Buffer.alloc(0),
    );
    expect(parts.headers['X-Forwarded-For']).toBe(
      '198.51.100.7, 192.0.2.1, 192.0.2.2, 203.0.113.9, 203.0.113.9',
    );
    expect(parts.multiValueHeaders['X-Forwarded-For']).toEqual([parts.headers['X-Forwarded-For']]);
    expect(
      Object.keys(parts.headers).filter((name) => name.toLowerCase() === 'x-forwarded-for'),
    ).toHaveLength(1);
    expect(viewerAddress(parts.headers['X-Forwarded-For'], parts.sourceIp)).toBe('203.0.113.9');
  });

  test('without a client header the list holds the two hops', () => {
    const parts = requestParts(nodeRequest(['Host', 'localhost']), Buffer.alloc(0));
    expect(parts.headers['X-Forwarded-For']).toBe('203.0.113.9, 203.0.113.9');
    expect(viewerAddress(parts.headers['X-Forwarded-For'], parts.sourceIp)).toBe('203.0.113.9');
  });
});
