import { secretHash } from '../../../../lambda/domain/auth/secret-hash';
import { lifetimeSeconds, rolesOf, unverifiedClaims } from '../../../../lambda/domain/auth/tokens';

describe('secretHash', () => {
  test('matches a known answer computed with openssl (HMAC-SHA256 over username + clientId, base64)', () => {
    // printf '%s' 'alice@example.com7gfs0m2kq1abc' | openssl dgst -sha256 -hmac 's3cr3t-client-secret' -binary | base64
    expect(secretHash('alice@example.com', '7gfs0m2kq1abc', 's3cr3t-client-secret')).toBe(
      'NWHVGJdxScUtWi68g2Pr49OaGdbU4Hckxlx6VTaaqWY=',
    );
  });

  test('depends on the order: username first, then client id', () => {
    expect(secretHash('7gfs0m2kq1abc', 'alice@example.com', 's3cr3t-client-secret')).not.toBe(
      'NWHVGJdxScUtWi68g2Pr49OaGdbU4Hckxlx6VTaaqWY=',
    );
  });
});

describe('token claims (fresh Cognito tokens only)', () => {
  const token = (claims: unknown) => `h.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.s`;

  test('roles are the Rampart roles among cognito:groups, in ROLES order', () => {
    expect(rolesOf(unverifiedClaims(token({ 'cognito:groups': ['viewer', 'ops', 'admin'] })))).toEqual([
      'admin',
      'viewer',
    ]);
    expect(rolesOf(unverifiedClaims(token({ 'cognito:groups': 'admin' })))).toEqual([]);
  });

  test('garbage decodes to no claims rather than throwing', () => {
    expect(unverifiedClaims('not-a-jwt')).toEqual({});
    expect(unverifiedClaims('a.!!!.c')).toEqual({});
    expect(unverifiedClaims(token(42))).toEqual({});
  });

  test('lifetime is exp - iat when both are sane', () => {
    expect(lifetimeSeconds({ iat: 100, exp: 1000 })).toBe(900);
    expect(lifetimeSeconds({ iat: 1000, exp: 100 })).toBeUndefined();
    expect(lifetimeSeconds({ exp: 1000 })).toBeUndefined();
  });
});
