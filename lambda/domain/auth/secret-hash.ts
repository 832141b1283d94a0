import { createHmac } from 'node:crypto';

/**
 * Cognito's SECRET_HASH for a client that has a secret:
 * `base64(HMAC-SHA256(key = clientSecret, message = username + clientId))`.
 * `username` must be the value sent as USERNAME in the same request (the email at login, the
 * user's `sub` on REFRESH_TOKEN_AUTH).
 */
export function secretHash(username: string, clientId: string, clientSecret: string): string {
  return createHmac('sha256', clientSecret)
    .update(username + clientId, 'utf8')
    .digest('base64');
}
