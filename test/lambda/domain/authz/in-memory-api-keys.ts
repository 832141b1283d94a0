import type { ApiKeyLookup, ApiKeyRecord } from '../../../../lambda/domain/authz/api-keys';
import { ROLE_SCOPES } from '../../../../lambda/shared/access';
import { generateApiKey } from '../../../../lambda/shared/api-key-format';

/**
 * The ApiKeyLookup boundary implemented over a Map (the PostgreSQL implementation belongs to the
 * api-keys domain). Records the hashes it was asked for, so tests can prove a lookup did or did not happen.
 */
export class InMemoryApiKeys implements ApiKeyLookup {
  readonly lookedUp: string[] = [];
  private readonly byHash = new Map<string, ApiKeyRecord>();

  /** Generates a real key, stores its record under the key's hash and returns the secret. */
  add(overrides: Partial<ApiKeyRecord> = {}): { key: string; record: ApiKeyRecord } {
    const { key, hash } = generateApiKey();
    const index = this.byHash.size + 1;
    const record: ApiKeyRecord = {
      id: `0b9e6f1c-0000-4000-8000-${String(index).padStart(12, '0')}`,
      ownerSub: '5f2a1c1e-0000-4000-8000-000000000009',
      scopes: ['rampart/read'],
      tier: 'standard',
      usageIdentifierKey: `apigw-usage-key-value-${index}`,
      status: 'active',
      ownerScopes: ROLE_SCOPES.admin,
      ...overrides,
    };
    this.byHash.set(hash, record);
    return { key, record };
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    this.lookedUp.push(hash);
    return this.byHash.get(hash);
  }
}
