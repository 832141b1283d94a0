import type { HeartbeatProbe } from './measure';

export interface HttpHeartbeatProbeOptions {
  /** The API's base URL: the public edge on AWS, the local gateway in a rehearsal. */
  readonly baseUrl: string;
  /** The machine credential's `Authorization` value, e.g. `ApiKey rmp_...` (scopes rampart/read + rampart/write). */
  readonly authorization: string;
  /** Prefix of every heartbeat's name; unique per drill so runs never see each other's records. */
  readonly namePrefix: string;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

const PAGE = 100;

/**
 * Heartbeats as projects named `<prefix><sequence>`: a write is `POST /api/v1/projects`, a read
 * `GET /api/v1/projects/{id}`, and after recovery the survivors are listed by name prefix. A
 * heartbeat counts only when the API answered 201/200: anything else (a 5xx, a 503 from the
 * breaker, a network error) is a failed round.
 */
export class HttpHeartbeatProbe implements HeartbeatProbe {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: HttpHeartbeatProbeOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  private call(method: string, path: string, signal?: AbortSignal, body?: unknown): Promise<Response> {
    return this.fetch(`${this.options.baseUrl}${path}`, {
      method,
      signal,
      headers: {
        authorization: this.options.authorization,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  async write(sequence: number, signal: AbortSignal): Promise<string> {
    const response = await this.call('POST', '/api/v1/projects', signal, {
      name: `${this.options.namePrefix}${sequence}`,
      description: 'DR drill heartbeat',
    });
    const text = await response.text();
    if (response.status !== 201) throw new Error(`write answered ${response.status} ${text.slice(0, 200)}`);
    return (JSON.parse(text) as { id: string }).id;
  }

  async read(id: string, signal: AbortSignal): Promise<boolean> {
    const response = await this.call('GET', `/api/v1/projects/${encodeURIComponent(id)}`, signal);
    const text = await response.text();
    if (response.status === 200) return true;
    if (response.status === 404) return false;
    throw new Error(`read answered ${response.status} ${text.slice(0, 200)}`);
  }

  /** Ids of every heartbeat of this drill the API returns, listed by name prefix. */
  async listIds(): Promise<readonly string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const query = new URLSearchParams({ namePrefix: this.options.namePrefix, limit: String(PAGE) });
      if (cursor !== undefined) query.set('cursor', cursor);
      const response = await this.call('GET', `/api/v1/projects?${query}`);
      const text = await response.text();
      if (response.status !== 200)
        throw new Error(`listing heartbeats answered ${response.status} ${text.slice(0, 200)}`);
      const page = JSON.parse(text) as { items: { id: string }[]; nextCursor?: string };
      ids.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return ids;
  }

  async present(ids: readonly string[]): Promise<ReadonlySet<string>> {
    const listed = new Set(await this.listIds());
    return new Set(ids.filter((id) => listed.has(id)));
  }

  /** Deletes one heartbeat (needs the `rampart/admin` scope); a heartbeat already gone is fine. */
  async remove(id: string): Promise<void> {
    const response = await this.call('DELETE', `/api/v1/projects/${encodeURIComponent(id)}`);
    const text = await response.text();
    if (response.status !== 204 && response.status !== 404)
      throw new Error(`deleting heartbeat ${id} answered ${response.status} ${text.slice(0, 200)}`);
  }
}
