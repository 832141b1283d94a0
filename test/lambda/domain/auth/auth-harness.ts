import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { createHmac } from 'node:crypto';
import { handler as challenge } from '../../../../lambda/functions/auth-challenge/handler';
import { handler as login } from '../../../../lambda/functions/auth-login/handler';
import { handler as logout } from '../../../../lambda/functions/auth-logout/handler';
import { handler as confirmPassword } from '../../../../lambda/functions/auth-password-confirm/handler';
import { handler as forgotPassword } from '../../../../lambda/functions/auth-password-forgot/handler';
import { handler as refresh } from '../../../../lambda/functions/auth-refresh/handler';
import { handler as me } from '../../../../lambda/functions/me/handler';
import { handler as setUserRoles } from '../../../../lambda/functions/users-roles/handler';
import { handler as whoami } from '../../../../lambda/functions/whoami/handler';
import { routes } from '../../../../lambda/routes';
import type { ApiHandler } from '../../../../lambda/shared/http/api';
import { apiEvent, type AuthorizerContextFixture } from '../../../fixtures/api-gateway-event';
import { invoke, type InvokeResult } from '../../../fixtures/invoke';

/** The auth handlers, by route id (`whoami` is the deprecated alias of `me`). */
export const AUTH_HANDLERS = {
  login,
  challenge,
  refresh,
  logout,
  forgotPassword,
  confirmPassword,
  me,
  whoami,
  setUserRoles,
} as const satisfies Record<string, ApiHandler>;
export type AuthRouteId = keyof typeof AUTH_HANDLERS;

export interface CallOptions {
  readonly authorizer?: AuthorizerContextFixture | null;
  readonly pathParameters?: Record<string, string>;
  readonly headers?: Record<string, string>;
}

/** Calls a route's real handler with a real API Gateway event (public routes: no authorizer). */
export function call(id: AuthRouteId, body?: unknown, options: CallOptions = {}): Promise<InvokeResult> {
  const route = routes[id];
  let path: string = route.path;
  for (const [name, value] of Object.entries(options.pathParameters ?? {})) {
    path = path.replace(`{${name}}`, encodeURIComponent(value));
  }
  return invoke(
    AUTH_HANDLERS[id],
    apiEvent({
      method: route.method,
      path,
      resource: route.path,
      pathParameters: options.pathParameters ?? null,
      body,
      headers: options.headers,
      authorizer: options.authorizer === undefined ? null : options.authorizer,
    }),
  );
}

/** A user principal as the authorizer passes it. */
export function userPrincipal(sub: string, roles: readonly string[]): AuthorizerContextFixture {
  return { principalId: sub, sub, roles: roles.join(','), scopes: '', authType: 'user' };
}

/** Decodes a JWT payload (the test trusts the emulator it started). */
export function claimsOf(token: unknown): Record<string, unknown> {
  return JSON.parse(Buffer.from(String(token).split('.')[1], 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

/** Independent SECRET_HASH, to check what the domain sent. */
export function expectedSecretHash(username: string, clientId: string, clientSecret: string): string {
  return createHmac('sha256', clientSecret).update(`${username}${clientId}`).digest('base64');
}

/** Every request (and response) a Cognito client sent, recorded by an SDK middleware. */
export interface SentCommand {
  readonly command: string;
  readonly input: Record<string, unknown>;
  output?: Record<string, unknown>;
}

export function recordCommands(client: CognitoIdentityProviderClient): SentCommand[] {
  const sent: SentCommand[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const entry: SentCommand = {
        command: String(context.commandName),
        input: args.input as Record<string, unknown>,
      };
      sent.push(entry);
      const result = await next(args);
      entry.output = result.output as unknown as Record<string, unknown>;
      return result;
    },
    { step: 'initialize', name: 'rampartTestRecorder', override: true },
  );
  return sent;
}

function base32Decode(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of text.replace(/=+$/, '').toUpperCase()) {
    bits += alphabet.indexOf(char).toString(2).padStart(5, '0');
  }
  const bytes: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s), as an authenticator app computes it. */
export function totp(secretBase32: string, now = Date.now()): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 1000 / 30)));
  const mac = createHmac('sha1', base32Decode(secretBase32)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(value).padStart(6, '0');
}
