import { accessTokenConfigFromEnv, tokenVerifierFromEnv } from '../../../../lambda/domain/authz/config';
import { TokenRejectedError } from '../../../../lambda/domain/authz/access-token';
import {
  LOGIN_CLIENT_ID,
  MACHINE_CLIENT_ID,
  TEST_JWKS,
  TEST_REGION,
  TEST_USER_POOL_ID,
  userAccessToken,
} from '../../../fixtures/tokens';

const validEnv = {
  AWS_REGION: TEST_REGION,
  USER_POOL_ID: TEST_USER_POOL_ID,
  ALLOWED_CLIENT_IDS: ` ${LOGIN_CLIENT_ID} ,${MACHINE_CLIENT_ID},`,
  JWKS: JSON.stringify(TEST_JWKS),
};

describe('accessTokenConfigFromEnv', () => {
  it('reads region, pool, trimmed client allow-list and the JWKS', () => {
    expect(accessTokenConfigFromEnv(validEnv)).toEqual({
      region: TEST_REGION,
      userPoolId: TEST_USER_POOL_ID,
      issuer: undefined,
      allowedClientIds: [LOGIN_CLIENT_ID, MACHINE_CLIENT_ID],
      jwks: TEST_JWKS,
    });
    expect(
      accessTokenConfigFromEnv({ ...validEnv, TOKEN_ISSUER: 'http://127.0.0.1:9229/local_x' }).issuer,
    ).toBe('http://127.0.0.1:9229/local_x');
  });

  it.each([
    [{ USER_POOL_ID: undefined }, 'USER_POOL_ID is not set'],
    [{ AWS_REGION: '' }, 'AWS_REGION is not set'],
    [{ ALLOWED_CLIENT_IDS: ' , ' }, 'ALLOWED_CLIENT_IDS is empty'],
    [{ JWKS: undefined }, 'JWKS is not set'],
    [{ JWKS: '{nope' }, 'JWKS is not JSON'],
    [{ JWKS: '{"keys":[]}' }, 'JWKS has no keys'],
    [{ JWKS: '{"keys":[{"kty":"RSA"}]}' }, 'JWKS has a key without a kid'],
  ])('names the broken variable: %j', (change, message) => {
    expect(() => accessTokenConfigFromEnv({ ...validEnv, ...change })).toThrow(message);
  });
});

describe('tokenVerifierFromEnv', () => {
  it('verifies tokens with a valid configuration', () => {
    const onError = jest.fn();
    const verifier = tokenVerifierFromEnv(validEnv, onError);
    expect(verifier.verify(userAccessToken({ groups: ['viewer'] }))).toMatchObject({
      authType: 'user',
      roles: ['viewer'],
    });
    expect(onError).not.toHaveBeenCalled();
  });

  it('fails closed on a broken configuration: reports it once and refuses every token', () => {
    const onError = jest.fn();
    const verifier = tokenVerifierFromEnv({ ...validEnv, JWKS: '' }, onError);
    expect(onError).toHaveBeenCalledWith(new Error('JWKS is not set'));
    expect(() => verifier.verify(userAccessToken({ groups: ['admin'] }))).toThrow(TokenRejectedError);
    expect(() => verifier.verify(userAccessToken())).toThrow('access token rejected: not-configured');
  });

  it('a cognito-local issuer is verified with JwtRsaVerifier against the baked JWKS', () => {
    const issuer = 'http://127.0.0.1:9229/local_5pXq2';
    const verifier = tokenVerifierFromEnv({ ...validEnv, TOKEN_ISSUER: issuer }, jest.fn());
    expect(verifier.verify(userAccessToken({ issuer, groups: ['admin'] }))).toMatchObject({
      roles: ['admin'],
    });
    expect(() => verifier.verify(userAccessToken({ groups: ['admin'] }))).toThrow(
      'access token rejected: wrong-issuer',
    );
  });
});
