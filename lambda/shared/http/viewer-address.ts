import { isIP } from 'node:net';

/**
 * The address of the client that connected to CloudFront (the viewer), read from the hop list
 * CloudFront and API Gateway build in `X-Forwarded-For`, or `undefined` when no valid address is
 * there.
 *
 * Each hop appends the address it received the request from to the END of the list: CloudFront
 * appends the viewer's address (taken from its TCP connection), then API Gateway appends the
 * CloudFront edge address it saw, which it also reports as `requestContext.identity.sourceIp`
 * (`peerAddress`). So the trustworthy entry is the last one once API Gateway's own is removed.
 * Everything to its left came from the client's own `X-Forwarded-For` header and is ignored: a
 * client can write anything there. Should API Gateway not append, the last entry is already
 * CloudFront's, and the rule still picks it.
 *
 * This holds only for requests that went through CloudFront; the regional web ACL refuses any
 * request without the origin-verify header CloudFront adds (docs/edge.md). Without the header at
 * all (the local gateway, a direct invoke), the peer address is the client's own.
 *
 * @param forwardedFor every `X-Forwarded-For` value in order, joined with commas.
 * @param peerAddress `requestContext.identity.sourceIp`.
 */
export function viewerAddress(
  forwardedFor: string | undefined,
  peerAddress: string | undefined,
): string | undefined {
  const hops = (forwardedFor ?? '')
    .split(',')
    .map((hop) => hop.trim())
    .filter((hop) => hop !== '');
  if (hops.length > 0 && hops[hops.length - 1] === peerAddress) hops.pop();
  const candidate = hops.length > 0 ? hops[hops.length - 1] : peerAddress;
  return candidate !== undefined && isIP(candidate) !== 0 ? candidate : undefined;
}
