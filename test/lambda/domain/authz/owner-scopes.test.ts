import {
  cachedOwnerScopes,
  scopesOfRoles,
  type RoleDirectory,
} from '../../../../lambda/domain/authz/owner-scopes';
import type { Role } from '../../../../lambda/shared/access';

describe('scopesOfRoles', () => {
  it('is the union of ROLE_SCOPES in SCOPES order', () => {
    expect(scopesOfRoles([])).toEqual([]);
    expect(scopesOfRoles(['viewer'])).toEqual(['rampart/read']);
    expect(scopesOfRoles(['viewer', 'editor'])).toEqual(['rampart/read', 'rampart/write']);
    expect(scopesOfRoles(['admin'])).toEqual(['rampart/read', 'rampart/write', 'rampart/admin']);
  });
});

describe('cachedOwnerScopes', () => {
  function directory(roles: Record<string, Role[] | undefined>) {
    const calls: string[] = [];
    let failNext = false;
    const lookup: RoleDirectory = async (sub) => {
      calls.push(sub);
      if (failNext) {
        failNext = false;
        throw new Error('throttled');
      }
      return roles[sub];
    };
    return { lookup, calls, failOnce: () => (failNext = true) };
  }

  it('asks the directory once per owner per TTL, then again after it', async () => {
    let time = 0;
    const { lookup, calls } = directory({ a: ['editor'] });
    const resolve = cachedOwnerScopes(lookup, { ttlMs: 1_000, now: () => time });
    expect(await resolve('a')).toEqual(['rampart/read', 'rampart/write']);
    time = 999;
    expect(await resolve('a')).toEqual(['rampart/read', 'rampart/write']);
    expect(calls).toEqual(['a']);
    time = 1_000;
    await resolve('a');
    expect(calls).toEqual(['a', 'a']);
  });

  it('shares one call between concurrent misses and reports a missing owner as undefined', async () => {
    const { lookup, calls } = directory({});
    const resolve = cachedOwnerScopes(lookup);
    expect(await Promise.all([resolve('gone'), resolve('gone')])).toEqual([undefined, undefined]);
    expect(calls).toEqual(['gone']);
  });

  it('does not cache a failure', async () => {
    const { lookup, calls, failOnce } = directory({ a: ['viewer'] });
    const resolve = cachedOwnerScopes(lookup);
    failOnce();
    await expect(resolve('a')).rejects.toThrow('throttled');
    expect(await resolve('a')).toEqual(['rampart/read']);
    expect(calls).toEqual(['a', 'a']);
  });

  it('stays bounded: past maxEntries it starts over', async () => {
    const { lookup, calls } = directory({ a: ['viewer'], b: ['viewer'], c: ['viewer'] });
    const resolve = cachedOwnerScopes(lookup, { maxEntries: 2 });
    await resolve('a');
    await resolve('b');
    await resolve('c');
    await resolve('a');
    expect(calls).toEqual(['a', 'b', 'c', 'a']);
  });
});
