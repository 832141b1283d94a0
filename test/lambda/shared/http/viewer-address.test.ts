import fc from 'fast-check';
import { api } from '../../../../lambda/shared/http/api';
import { viewerAddress } from '../../../../lambda/shared/http/viewer-address';
import { apiEvent, CLOUDFRONT_EDGE_IP, VIEWER_IP } from '../../../fixtures/api-gateway-event';
import { invoke } from '../../../fixtures/invoke';
import { publicStatus } from '../../../fixtures/test-routes';

const EDGE = CLOUDFRONT_EDGE_IP;

describe('viewerAddress', () => {
  test.each([
    ['CloudFront, then API Gateway appended', `203.0.113.7, ${EDGE}`, '203.0.113.7'],
    ['the client wrote its own hops first', `198.51.100.66, 10.1.2.3, 203.0.113.7, ${EDGE}`, '203.0.113.7'],
    ['API Gateway did not append (CloudFront last)', '198.51.100.66, 203.0.113.7', '203.0.113.7'],
    ['IPv6 viewer', `2001:db8::1, ${EDGE}`, '2001:db8::1'],
    ['spaces and empty entries', ` , 203.0.113.7 ,,${EDGE} `, '203.0.113.7'],
    ['no header: the peer is the client (local gateway)', undefined, EDGE],
    ['only the peer', EDGE, EDGE],
    ['garbage where CloudFront appends', `not-an-address, ${EDGE}`, undefined],
    ['an address with a port is not an address', `203.0.113.7:4431, ${EDGE}`, undefined],
  ])('%s', (_label, forwardedFor, expected) => {
    expect(viewerAddress(forwardedFor, EDGE)).toBe(expected);
  });

  test('no header and no peer: undefined', () => {
    expect(viewerAddress(undefined, undefined)).toBeUndefined();
  });

  test('whatever a client prepends, the answer is the hop CloudFront appended', () => {
    const ipv4 = fc.ipV4();
    fc.assert(
      fc.property(fc.array(fc.oneof(ipv4, fc.string()), { maxLength: 6 }), ipv4, (spoofed, viewer) => {
        const header = [...spoofed.map((hop) => hop.replace(/,/g, '')), viewer, EDGE].join(', ');
        expect(viewerAddress(header, EDGE)).toBe(viewer);
      }),
    );
  });
});

describe('req.viewerIp in the wrapper', () => {
  const seen: (string | undefined)[] = [];
  const handler = api(publicStatus, async (req) => {
    seen.push(req.viewerIp);
    return { status: 200, body: [] };
  });
  beforeEach(() => seen.splice(0));

  test('is the viewer of an event that came through CloudFront', async () => {
    expect((await invoke(handler, apiEvent({ path: '/api/v1/status', authorizer: null }))).statusCode).toBe(
      200,
    );
    expect(seen).toEqual([VIEWER_IP]);
  });

  test('reads every X-Forwarded-For line in order (multiValueHeaders), whatever the case of the name', async () => {
    const event = apiEvent({ path: '/api/v1/status', authorizer: null });
    delete event.headers['X-Forwarded-For'];
    delete event.multiValueHeaders['X-Forwarded-For'];
    event.headers['x-FORWARDED-for'] = `203.0.113.7, ${EDGE}`;
    event.multiValueHeaders['x-FORWARDED-for'] = ['198.51.100.66', `203.0.113.7, ${EDGE}`];
    await invoke(handler, event);
    expect(seen).toEqual(['203.0.113.7']);
  });
});
