import type {
  APIGatewayAuthorizerResult,
  APIGatewayAuthorizerResultContext,
  APIGatewayRequestAuthorizerEvent,
  PolicyDocument,
} from 'aws-lambda';
import {
  apiKeyDisplayPrefix,
  apiKeyOfAuthorization,
  hashApiKey,
  isWellFormedApiKey,
} from '../../shared/api-key-format';
import { AUTHORIZER_IDENTITY_HEADERS, headerValues, type RequestHeaders } from '../../shared/credentials';
import { knownScopes, refusalOf, type AccessTokenVerifier, type TokenCaller } from './access-token';
import type { TokenUsageKeys } from './config';
import { refuseApiKey, type ApiKeyLookup, type ApiKeyRecord } from './api-keys';
import { arnPrefixOf, type AccessGrant, type RoutePolicies } from './policy';

/** API Gateway turns exactly this error message from an authorizer into a 401 (anything else is a 500). */
export const UNAUTHORIZED = 'Unauthorized';

/** Longest bearer token looked at; Cognito access tokens are ~1 KB, API Gateway headers max 10 KB. */
export const MAX_TOKEN_LENGTH = 8_192;

/** The log and metric sinks the authorizer reports to (Powertools in the handler, spies in tests). */
export interface AuthorizerObserver {
  /** An expected refusal (bad token, revoked key...): `reason` is a short code, never a credential. */
  refused(outcome: 'unauthorized' | 'forbidden', details: Readonly<Record<string, string>>): void;
  /** Something that should not happen (verifier bug, key store down): still a 401 for the caller. */
  failed(details: Readonly<Record<string, string>>, error: unknown): void;
}

export interface AuthorizerDependencies {
  readonly tokens: AccessTokenVerifier;
  /**
   * Usage identifier key returned for each kind of token caller: every method behind the
   * authorizer requires an API key, and usage plans meter callers by this key.
   */
  readonly tokenUsageKeys: TokenUsageKeys;
  readonly apiKeys: ApiKeyLookup;
  readonly policies: RoutePolicies;
  readonly observer: AuthorizerObserver;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** A REQUEST authorizer: resolves with an Allow/Deny policy or rejects with `Error('Unauthorized')`. */
export type Authorizer = (event: APIGatewayRequestAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;

/** The credential a request presents. */
export type Credential =
  | { readonly kind: 'bearer'; readonly token: string }
  | { readonly kind: 'apiKey'; readonly key: string }
  | { readonly kind: 'none' | 'ambiguous' | 'unsupported-scheme' };

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;
const API_KEY_SCHEME = /^ApiKey(?:[ \t]|$)/i;
const [AUTHORIZATION] = AUTHORIZER_IDENTITY_HEADERS;

/**
 * Reads the one credential of a request from its identity source, the `Authorization` header:
 * `Bearer <jwt>` or `ApiKey <key>`. Nothing else is read (API Gateway caches the answer keyed on
 * that header alone). Two `Authorization` values, equal or not, are `ambiguous`: the authorizer
 * never guesses which one the caller meant.
 */
export function credentialOf(request: RequestHeaders): Credential {
  const values = headerValues(request, AUTHORIZATION);
  if (values.length > 1) return { kind: 'ambiguous' };
  const authorization = values[0]?.trim() ?? '';
  if (authorization === '') return { kind: 'none' };
  const bearer = BEARER.exec(authorization);
  if (bearer !== null) return { kind: 'bearer', token: bearer[1] };
  if (API_KEY_SCHEME.test(authorization)) {
    const key = apiKeyOfAuthorization(authorization);
    return key === undefined ? { kind: 'none' } : { kind: 'apiKey', key };
  }
  return { kind: 'unsupported-scheme' };
}

class Refusal extends Error {
  constructor(readonly details: Readonly<Record<string, string>>) {
    super(UNAUTHORIZED);
  }
}

function denyAll(arnPrefix: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Deny', Action: 'execute-api:Invoke', Resource: `${arnPrefix}*` }],
  };
}

/**
 * Builds the authorizer (DESIGN.md, request path). Every outcome is an Allow/Deny policy or
 * `Error('Unauthorized')`; nothing else ever escapes, so API Gateway never answers 500 for it.
 *
 * The policy covers every route the caller may call (see {@link RoutePolicies}), because API Gateway
 * caches the answer per credential and reuses it for other routes.
 */
export function createAuthorizer(dependencies: AuthorizerDependencies): Authorizer {
  const { tokens, tokenUsageKeys, apiKeys, policies, observer } = dependencies;
  const now = dependencies.now ?? (() => new Date());

  function result(
    arnPrefix: string,
    principalId: string,
    grant: AccessGrant,
    context: APIGatewayAuthorizerResultContext,
    usageIdentifierKey?: string,
  ): APIGatewayAuthorizerResult {
    const policyDocument = policies.documentFor(arnPrefix, grant);
    if (!policies.allowsAnyProtectedRoute(grant)) {
      observer.refused('forbidden', { reason: 'no-route-allowed', authType: String(context.authType) });
    }
    const answer: APIGatewayAuthorizerResult = { principalId, policyDocument, context };
    if (usageIdentifierKey !== undefined) answer.usageIdentifierKey = usageIdentifierKey;
    return answer;
  }

  function fromToken(arnPrefix: string, token: string): APIGatewayAuthorizerResult {
    if (token.length > MAX_TOKEN_LENGTH) throw new Refusal({ reason: 'token-too-long', authType: 'token' });
    let caller: TokenCaller;
    try {
      caller = tokens.verify(token);
    } catch (error) {
      const reason = refusalOf(error);
      if (reason === 'verifier-error') throw error;
      throw new Refusal({ reason, authType: 'token' });
    }
    if (caller.authType === 'user') {
      const grant = { roles: caller.roles, scopes: [] };
      return result(
        arnPrefix,
        caller.sub,
        grant,
        { sub: caller.sub, roles: caller.roles.join(','), scopes: '', authType: 'user', apiKeyId: '' },
        tokenUsageKeys.user,
      );
    }
    const grant = { roles: [], scopes: caller.scopes };
    return result(
      arnPrefix,
      caller.sub,
      grant,
      { sub: caller.sub, roles: '', scopes: caller.scopes.join(' '), authType: 'client', apiKeyId: '' },
      tokenUsageKeys.client,
    );
  }

  async function fromApiKey(arnPrefix: string, key: string): Promise<APIGatewayAuthorizerResult> {
    // Typos and made-up strings fail the checksum: no lookup, no database load from garbage.
    if (!isWellFormedApiKey(key)) throw new Refusal({ reason: 'malformed-key', authType: 'apiKey' });
    const keyPrefix = apiKeyDisplayPrefix(key);
    let record: ApiKeyRecord | undefined;
    try {
      record = await apiKeys.findByHash(hashApiKey(key));
    } catch (error) {
      observer.failed({ reason: 'key-lookup-failed', authType: 'apiKey', keyPrefix }, error);
      throw new Error(UNAUTHORIZED);
    }
    if (record === undefined) throw new Refusal({ reason: 'unknown-key', authType: 'apiKey', keyPrefix });
    const refusal = refuseApiKey(record, now());
    const context: APIGatewayAuthorizerResultContext = {
      sub: record.id,
      ownerSub: record.ownerSub,
      roles: '',
      authType: 'apiKey',
      apiKeyId: record.id,
      tier: record.tier,
    };
    if (refusal === 'scope-exceeds-owner') {
      // The key is genuine but its owner lost the rights it carries: 403, not 401.
      observer.refused('forbidden', { reason: refusal, authType: 'apiKey', apiKeyId: record.id });
      return {
        principalId: record.id,
        policyDocument: denyAll(arnPrefix),
        context: { ...context, scopes: '' },
      };
    }
    if (refusal !== undefined)
      throw new Refusal({ reason: refusal, authType: 'apiKey', apiKeyId: record.id });
    const scopes = knownScopes(record.scopes);
    return result(
      arnPrefix,
      record.id,
      { roles: [], scopes },
      { ...context, scopes: scopes.join(' ') },
      record.usageIdentifierKey,
    );
  }

  return async function authorize(event) {
    try {
      const arnPrefix = arnPrefixOf(event?.methodArn);
      if (arnPrefix === undefined) throw new Refusal({ reason: 'bad-method-arn' });
      const credential = credentialOf(event);
      switch (credential.kind) {
        case 'bearer':
          return fromToken(arnPrefix, credential.token);
        case 'apiKey':
          return await fromApiKey(arnPrefix, credential.key);
        default:
          throw new Refusal({ reason: credential.kind === 'none' ? 'no-credentials' : credential.kind });
      }
    } catch (error) {
      if (error instanceof Refusal) observer.refused('unauthorized', error.details);
      else if (!(error instanceof Error && error.message === UNAUTHORIZED)) {
        observer.failed({ reason: 'unexpected-error' }, error);
      }
      throw new Error(UNAUTHORIZED);
    }
  };
}
