import { CognitoJwtVerifier, JwtRsaVerifier } from 'aws-jwt-verify';
import {
  CognitoJwtInvalidClientIdError,
  CognitoJwtInvalidTokenUseError,
  JwtBaseError,
  JwtExpiredError,
  JwtInvalidClaimError,
  JwtInvalidIssuerError,
  JwtInvalidSignatureAlgorithmError,
  JwtInvalidSignatureError,
  JwtNotBeforeError,
  JwtParseError,
  JwtWithoutValidKidError,
  KidNotFoundInJwksError,
  ParameterValidationError,
} from 'aws-jwt-verify/error';
import type { Jwks } from 'aws-jwt-verify/jwk';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { SCOPES, type Role, type Scope } from '../../shared/access';
import { rolesOf } from '../auth/tokens';

/** Where access tokens come from and who may present them. */
export interface AccessTokenConfig {
  /** Region of the user pool, e.g. `eu-west-1`. */
  readonly region: string;
  /** Cognito user pool id. */
  readonly userPoolId: string;
  /**
   * Expected `iss`; set only for a non-AWS issuer (cognito-local), which is then verified with
   * `JwtRsaVerifier` (CognitoJwtVerifier rejects non-AWS pool ids).
   * @default - `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`
   */
  readonly issuer?: string;
  /** App client ids whose access tokens are accepted (login client and machine clients). */
  readonly allowedClientIds: readonly string[];
  /** The pool's JWKS, baked at deploy time: verification never fetches it. */
  readonly jwks: Jwks;
}

/** The caller an access token proves. */
export type TokenCaller =
  | {
      readonly authType: 'user';
      readonly sub: string;
      readonly roles: readonly Role[];
      readonly clientId: string;
    }
  | {
      readonly authType: 'client';
      readonly sub: string;
      readonly scopes: readonly Scope[];
      readonly clientId: string;
    };

/** Why a token was refused (logged, never returned to the caller). */
export type TokenRefusal =
  | 'malformed'
  | 'bad-signature'
  | 'bad-algorithm'
  | 'unknown-kid'
  | 'wrong-issuer'
  | 'wrong-token-use'
  | 'wrong-client'
  | 'expired'
  | 'not-yet-valid'
  | 'invalid-claims'
  | 'not-configured'
  | 'verifier-error';

/** A failed verification; `reason` is safe to log (it never contains the token). */
export class TokenRejectedError extends Error {
  constructor(readonly reason: TokenRefusal) {
    super(`access token rejected: ${reason}`);
    this.name = 'TokenRejectedError';
  }
}

/** Verifies a Cognito access token synchronously against the baked JWKS. */
export interface AccessTokenVerifier {
  /** @throws TokenRejectedError */
  verify(token: string): TokenCaller;
}

/** Known scopes among `scopes`, in SCOPES order, without duplicates; unknown scopes are dropped. */
export function knownScopes(scopes: readonly string[]): Scope[] {
  const present = new Set(scopes);
  return SCOPES.filter((known) => present.has(known));
}

/** Known scopes from a space-separated `scope` claim. */
export function scopesFromClaim(scope: unknown): Scope[] {
  return typeof scope === 'string' ? knownScopes(scope.split(' ')) : [];
}

/** Maps aws-jwt-verify's error classes (class names do not survive minification, `instanceof` does). */
export function refusalOf(error: unknown): TokenRefusal {
  if (error instanceof TokenRejectedError) return error.reason;
  if (!(error instanceof JwtBaseError)) return 'verifier-error';
  if (error instanceof JwtExpiredError) return 'expired';
  if (error instanceof JwtNotBeforeError) return 'not-yet-valid';
  if (error instanceof JwtInvalidIssuerError) return 'wrong-issuer';
  // CognitoJwtVerifier looks the issuer up among its configured pools before anything else.
  if (error instanceof ParameterValidationError) {
    return error.message.startsWith('issuer not configured') ? 'wrong-issuer' : 'invalid-claims';
  }
  if (error instanceof CognitoJwtInvalidTokenUseError) return 'wrong-token-use';
  if (error instanceof CognitoJwtInvalidClientIdError) return 'wrong-client';
  if (error instanceof JwtInvalidSignatureAlgorithmError) return 'bad-algorithm';
  if (error instanceof JwtInvalidSignatureError) return 'bad-signature';
  if (error instanceof KidNotFoundInJwksError || error instanceof JwtWithoutValidKidError)
    return 'unknown-kid';
  if (error instanceof JwtParseError) return 'malformed';
  if (error instanceof JwtInvalidClaimError) return 'invalid-claims';
  return 'malformed';
}

/** Cognito's issuer URL for a pool. */
export function cognitoIssuer(region: string, userPoolId: string): string {
  return `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
}

function callerFromPayload(payload: JwtPayload, allowedClientIds: ReadonlySet<string>): TokenCaller {
  // Checked for both verifiers: JwtRsaVerifier (local issuer) knows nothing about Cognito claims.
  if (payload.token_use !== 'access') throw new TokenRejectedError('wrong-token-use');
  const clientId = payload.client_id;
  if (typeof clientId !== 'string' || !allowedClientIds.has(clientId))
    throw new TokenRejectedError('wrong-client');
  const sub = payload.sub;
  if (typeof sub !== 'string' || sub === '') throw new TokenRejectedError('invalid-claims');
  if (typeof payload.username === 'string' && payload.username !== '') {
    return { authType: 'user', sub, roles: rolesOf(payload), clientId };
  }
  // client_credentials tokens carry no `username`; their `sub` is the client id.
  return { authType: 'client', sub, scopes: scopesFromClaim(payload.scope), clientId };
}

/**
 * Builds the verifier once, at module init. The JWKS is loaded with `cacheJwks` and tokens are checked
 * with `verifySync`, which only ever reads that cache: a token signed with an unknown `kid` is refused,
 * never a reason to fetch (Lambdas in a VPC without egress would hang on the fetch).
 * @throws Error when the configuration is unusable (the caller decides how to fail closed)
 */
export function createAccessTokenVerifier(config: AccessTokenConfig): AccessTokenVerifier {
  if (config.allowedClientIds.length === 0) throw new Error('ALLOWED_CLIENT_IDS is empty');
  const allowedClientIds: ReadonlySet<string> = new Set(config.allowedClientIds);
  let verifySync: (token: string) => JwtPayload;
  if (config.issuer === undefined) {
    const verifier = CognitoJwtVerifier.create({
      userPoolId: config.userPoolId,
      tokenUse: 'access',
      clientId: [...config.allowedClientIds],
    });
    verifier.cacheJwks(config.jwks);
    verifySync = (token) => verifier.verifySync(token);
  } else {
    const verifier = JwtRsaVerifier.create({
      issuer: config.issuer,
      audience: null,
      // Never fetched (verifySync reads the cache only); aws-jwt-verify wants an https URL.
      jwksUri: `https://jwks.invalid/${encodeURIComponent(config.issuer)}`,
    });
    verifier.cacheJwks(config.jwks);
    verifySync = (token) => verifier.verifySync(token);
  }
  return {
    verify(token: string): TokenCaller {
      let payload: JwtPayload;
      try {
        payload = verifySync(token);
      } catch (error) {
        throw new TokenRejectedError(refusalOf(error));
      }
      return callerFromPayload(payload, allowedClientIds);
    },
  };
}

/** A verifier for a broken configuration: refuses every token (the authorizer fails closed). */
export function refusingVerifier(): AccessTokenVerifier {
  return {
    verify(): never {
      throw new TokenRejectedError('not-configured');
    },
  };
}
