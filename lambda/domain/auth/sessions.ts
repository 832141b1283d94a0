import {
  AssociateSoftwareTokenCommand,
  ConfirmForgotPasswordCommand,
  ForgotPasswordCommand,
  GetTokensFromRefreshTokenCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  RevokeTokenCommand,
  VerifySoftwareTokenCommand,
  type AuthenticationResultType,
  type ChallengeNameType,
} from '@aws-sdk/client-cognito-identity-provider';
import type { output } from 'zod/mini';
import { AppError } from '../../shared/errors';
import { logger } from '../../shared/powertools';
import { callCognito, type AuthDependencies, type LoginClientCredentials } from './dependencies';
import type {
  challengeSchema,
  confirmPasswordSchema,
  forgotPasswordSchema,
  loginSchema,
  logoutSchema,
  refreshSchema,
} from './schemas';
import { secretHash } from './secret-hash';
import { lifetimeSeconds, rolesOf, unverifiedClaims } from './tokens';

/** Challenges the API hands to the client and accepts at `POST /auth/challenge`. */
export const SUPPORTED_CHALLENGES = ['NEW_PASSWORD_REQUIRED', 'SOFTWARE_TOKEN_MFA', 'MFA_SETUP'] as const;
export type SupportedChallenge = (typeof SUPPORTED_CHALLENGES)[number];

/** Tokens issued after a completed login or challenge. */
export interface Tokens {
  readonly accessToken: string;
  readonly idToken: string;
  /** Absent on refresh without rotation: the client keeps using the refresh token it has. */
  readonly refreshToken?: string;
  /** Seconds the access token is valid. */
  readonly expiresIn: number;
  readonly tokenType: 'Bearer';
}

/** Cognito wants more from the client before it issues tokens. */
export interface PendingChallenge {
  readonly challengeName: SupportedChallenge;
  readonly session: string;
  /** MFA_SETUP only: the TOTP secret to put in the authenticator app (base32). */
  readonly secretCode?: string;
}

export type LoginOutcome = Tokens | PendingChallenge;

/** Body of the 202 from `POST /auth/password/forgot`: identical whether the user exists or not. */
export const FORGOT_PASSWORD_ACCEPTED = {
  message: 'If an account exists for this email, a reset code has been sent to it.',
} as const;

/** Per-call context of an auth operation. */
export interface AuthCallOptions {
  /** Aborted when the request runs out of time. */
  readonly signal?: AbortSignal;
  /**
   * The end user's IP address, passed to Cognito as `UserContextData.IpAddress` so threat
   * protection scores the user's address, not the NAT gateway's. The login client has
   * `EnablePropagateAdditionalUserContextData`, without which Cognito ignores it.
   */
  readonly viewerIp?: string;
}

/** `UserContextData` for the calls that take it (InitiateAuth, RespondToAuthChallenge, (Confirm)ForgotPassword). */
function userContext(viewerIp: string | undefined): { UserContextData?: { IpAddress: string } } {
  return viewerIp === undefined ? {} : { UserContextData: { IpAddress: viewerIp } };
}

function isSupported(name: ChallengeNameType | string | undefined): name is SupportedChallenge {
  return (SUPPORTED_CHALLENGES as readonly string[]).includes(name ?? '');
}

function tokensFrom(result: AuthenticationResultType | undefined, fallbackRefresh?: string): Tokens {
  const accessToken = result?.AccessToken;
  const idToken = result?.IdToken;
  if (accessToken === undefined || idToken === undefined) {
    throw new AppError('DEPENDENCY_UNAVAILABLE', { detail: 'The identity provider returned no tokens' });
  }
  const refreshToken = result?.RefreshToken ?? fallbackRefresh;
  const expiresIn = result?.ExpiresIn ?? lifetimeSeconds(unverifiedClaims(accessToken)) ?? 0;
  return {
    accessToken,
    idToken,
    ...(refreshToken === undefined ? {} : { refreshToken }),
    expiresIn,
    tokenType: 'Bearer',
  };
}

/**
 * Turns an InitiateAuth / RespondToAuthChallenge answer into the client's outcome, enforcing the
 * admin MFA rule: Cognito cannot require MFA per group, so an admin who got tokens without passing
 * an MFA challenge is refused (403 MFA_REQUIRED) and the refresh token just issued is revoked.
 */
async function outcome(
  deps: AuthDependencies,
  credentials: LoginClientCredentials,
  answer:
    { ChallengeName?: string; Session?: string; AuthenticationResult?: AuthenticationResultType } | undefined,
  mfaPassed: boolean,
  signal: AbortSignal | undefined,
): Promise<LoginOutcome> {
  if (answer === undefined)
    throw new AppError('DEPENDENCY_UNAVAILABLE', { detail: 'The identity provider gave no answer' });
  if (answer.ChallengeName !== undefined) {
    if (!isSupported(answer.ChallengeName) || answer.Session === undefined) {
      logger.error('Cognito answered with a challenge the API does not support', {
        challenge: answer.ChallengeName,
      });
      throw new AppError('DEPENDENCY_UNAVAILABLE', {
        detail: 'The identity provider asked for an unsupported challenge',
      });
    }
    return { challengeName: answer.ChallengeName, session: answer.Session };
  }
  const tokens = tokensFrom(answer.AuthenticationResult);
  if (deps.requireAdminMfa && !mfaPassed && rolesOf(unverifiedClaims(tokens.accessToken)).includes('admin')) {
    if (tokens.refreshToken !== undefined) {
      await revokeQuietly(deps, credentials, tokens.refreshToken, signal);
    }
    throw new AppError('MFA_REQUIRED', {
      detail: 'Administrators must sign in with a TOTP authenticator; enrol one, then log in again',
    });
  }
  return tokens;
}

async function revokeQuietly(
  deps: AuthDependencies,
  { clientId, clientSecret }: LoginClientCredentials,
  token: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  try {
    await callCognito('logout', () =>
      deps.cognito.send(
        new RevokeTokenCommand({ Token: token, ClientId: clientId, ClientSecret: clientSecret }),
        {
          abortSignal: signal,
        },
      ),
    );
  } catch (error) {
    // The refresh token never left this function; failing to revoke it must not turn a refusal into a 5xx.
    logger.warn('Could not revoke the refresh token of a refused admin login', { error: error as Error });
  }
}

/** `POST /auth/login`: USER_PASSWORD_AUTH with SECRET_HASH. */
export async function login(
  deps: AuthDependencies,
  input: output<typeof loginSchema>,
  { signal, viewerIp }: AuthCallOptions = {},
): Promise<LoginOutcome> {
  const credentials = await deps.loginClient();
  const { clientId, clientSecret } = credentials;
  const answer = await callCognito('login', () =>
    deps.cognito.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: {
          USERNAME: input.email,
          PASSWORD: input.password,
          SECRET_HASH: secretHash(input.email, clientId, clientSecret),
        },
        ...userContext(viewerIp),
      }),
      { abortSignal: signal },
    ),
  );
  return outcome(deps, credentials, answer, false, signal);
}

function missingField(field: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', {
    detail: `body.${field} ${message}`,
    errors: [{ field: `body.${field}`, message }],
  });
}

/**
 * `POST /auth/challenge`: answers NEW_PASSWORD_REQUIRED, SOFTWARE_TOKEN_MFA or MFA_SETUP. The
 * user's address goes with RespondToAuthChallenge; AssociateSoftwareToken and VerifySoftwareToken
 * take no UserContextData.
 */
export async function answerChallenge(
  deps: AuthDependencies,
  input: output<typeof challengeSchema>,
  { signal, viewerIp }: AuthCallOptions = {},
): Promise<LoginOutcome> {
  const credentials = await deps.loginClient();
  const { clientId, clientSecret } = credentials;
  const base = { USERNAME: input.email, SECRET_HASH: secretHash(input.email, clientId, clientSecret) };
  const respond = (challengeResponses: Record<string, string>, session: string) =>
    callCognito('challenge', () =>
      deps.cognito.send(
        new RespondToAuthChallengeCommand({
          ClientId: clientId,
          ChallengeName: input.challengeName,
          Session: session,
          ChallengeResponses: { ...base, ...challengeResponses },
          ...userContext(viewerIp),
        }),
        { abortSignal: signal },
      ),
    );

  switch (input.challengeName) {
    case 'NEW_PASSWORD_REQUIRED': {
      if (input.newPassword === undefined)
        throw missingField('newPassword', 'is required for NEW_PASSWORD_REQUIRED');
      const answer = await respond({ NEW_PASSWORD: input.newPassword }, input.session);
      return outcome(deps, credentials, answer, false, signal);
    }
    case 'SOFTWARE_TOKEN_MFA': {
      if (input.code === undefined) throw missingField('code', 'is required for SOFTWARE_TOKEN_MFA');
      const answer = await respond({ SOFTWARE_TOKEN_MFA_CODE: input.code }, input.session);
      return outcome(deps, credentials, answer, true, signal);
    }
    case 'MFA_SETUP': {
      if (input.code === undefined) {
        // Step 1: get a TOTP secret for the authenticator app; the client comes back with a code.
        const associated = await callCognito('challenge', () =>
          deps.cognito.send(new AssociateSoftwareTokenCommand({ Session: input.session }), {
            abortSignal: signal,
          }),
        );
        if (associated.SecretCode === undefined || associated.Session === undefined) {
          throw new AppError('DEPENDENCY_UNAVAILABLE', {
            detail: 'The identity provider returned no TOTP secret',
          });
        }
        return { challengeName: 'MFA_SETUP', session: associated.Session, secretCode: associated.SecretCode };
      }
      // Step 2: prove the authenticator works, then complete the login with the verified session.
      const verified = await callCognito('challenge', () =>
        deps.cognito.send(new VerifySoftwareTokenCommand({ Session: input.session, UserCode: input.code }), {
          abortSignal: signal,
        }),
      );
      if (verified.Status !== 'SUCCESS' || verified.Session === undefined)
        throw new AppError('CODE_MISMATCH');
      const answer = await respond({}, verified.Session);
      return outcome(deps, credentials, answer, true, signal);
    }
  }
}

/**
 * `POST /auth/refresh`. With rotation (AWS): GetTokensFromRefreshToken, which also returns a new
 * refresh token (the old one stays valid for the pool's grace period). Without (cognito-local):
 * InitiateAuth REFRESH_TOKEN_AUTH, whose SECRET_HASH uses the user's `sub` as the user name.
 * GetTokensFromRefreshToken takes no UserContextData, so only the emulator path passes the address.
 */
export async function refreshTokens(
  deps: AuthDependencies,
  input: output<typeof refreshSchema>,
  { signal, viewerIp }: AuthCallOptions = {},
): Promise<Tokens> {
  const { clientId, clientSecret } = await deps.loginClient();
  if (deps.refreshTokenRotation) {
    const answer = await callCognito('refresh', () =>
      deps.cognito.send(
        new GetTokensFromRefreshTokenCommand({
          RefreshToken: input.refreshToken,
          ClientId: clientId,
          ClientSecret: clientSecret,
        }),
        { abortSignal: signal },
      ),
    );
    return tokensFrom(answer.AuthenticationResult);
  }
  if (input.sub === undefined) throw missingField('sub', 'is required (the sub claim of your ID token)');
  const sub = input.sub;
  const answer = await callCognito('refresh', () =>
    deps.cognito.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: {
          REFRESH_TOKEN: input.refreshToken,
          SECRET_HASH: secretHash(sub, clientId, clientSecret),
        },
        ...userContext(viewerIp),
      }),
      { abortSignal: signal },
    ),
  );
  return tokensFrom(answer.AuthenticationResult);
}

/**
 * `POST /auth/logout`: RevokeToken on the refresh token. Like RFC 7009, an unknown or already
 * revoked token is not an error (logout is idempotent and tells a token thief nothing).
 */
export async function logout(
  deps: AuthDependencies,
  input: output<typeof logoutSchema>,
  // RevokeToken takes no UserContextData.
  { signal }: AuthCallOptions = {},
): Promise<void> {
  const { clientId, clientSecret } = await deps.loginClient();
  try {
    await callCognito('logout', () =>
      deps.cognito.send(
        new RevokeTokenCommand({ Token: input.refreshToken, ClientId: clientId, ClientSecret: clientSecret }),
        { abortSignal: signal },
      ),
    );
  } catch (error) {
    if (error instanceof AppError && error.code === 'AUTH_TOKEN_INVALID') return;
    throw error;
  }
}

/**
 * `POST /auth/password/forgot`: always the same answer, whether or not the email belongs to a
 * user (unknown, unverified or disabled users are swallowed); only throttling and outages surface.
 */
export async function forgotPassword(
  deps: AuthDependencies,
  input: output<typeof forgotPasswordSchema>,
  { signal, viewerIp }: AuthCallOptions = {},
): Promise<typeof FORGOT_PASSWORD_ACCEPTED> {
  const { clientId, clientSecret } = await deps.loginClient();
  try {
    await callCognito('forgotPassword', () =>
      deps.cognito.send(
        new ForgotPasswordCommand({
          ClientId: clientId,
          Username: input.email,
          SecretHash: secretHash(input.email, clientId, clientSecret),
          ...userContext(viewerIp),
        }),
        { abortSignal: signal },
      ),
    );
  } catch (error) {
    const name = ((error as AppError).cause as { name?: unknown } | undefined)?.name;
    if (
      name !== 'UserNotFoundException' &&
      name !== 'NotAuthorizedException' &&
      name !== 'InvalidParameterException'
    ) {
      throw error;
    }
    // InvalidParameter is also what a user without a verified email gets; log it in case it is our config.
    if (name === 'InvalidParameterException')
      logger.warn('ForgotPassword rejected a parameter', { error: error as Error });
  }
  return FORGOT_PASSWORD_ACCEPTED;
}

/** `POST /auth/password/confirm`: ConfirmForgotPassword; an unknown user looks like a wrong code. */
export async function confirmForgotPassword(
  deps: AuthDependencies,
  input: output<typeof confirmPasswordSchema>,
  { signal, viewerIp }: AuthCallOptions = {},
): Promise<void> {
  const { clientId, clientSecret } = await deps.loginClient();
  await callCognito('confirmPassword', () =>
    deps.cognito.send(
      new ConfirmForgotPasswordCommand({
        ClientId: clientId,
        Username: input.email,
        ConfirmationCode: input.code,
        Password: input.newPassword,
        SecretHash: secretHash(input.email, clientId, clientSecret),
        ...userContext(viewerIp),
      }),
      { abortSignal: signal },
    ),
  );
}
