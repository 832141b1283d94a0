import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the receiver answers to one request. */
export interface ScriptedResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export interface ReceivedPost {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
}

/**
 * A real HTTP server on 127.0.0.1 standing in for Slack's incoming webhooks: it records every
 * POST and answers from a script (then `ok` with 200, as Slack does).
 */
export class SlackReceiver {
  readonly posts: ReceivedPost[] = [];
  private script: ScriptedResponse[] = [];
  private server?: Server;
  private port = 0;

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // kept as text
        }
        this.posts.push({ path: request.url ?? '', headers: request.headers, body });
        const next = this.script.shift() ?? { status: 200, body: 'ok' };
        response.writeHead(next.status, { 'content-type': 'text/plain', ...next.headers });
        response.end(next.body ?? '');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** The webhook URL for a channel path, e.g. `url('/critical')`. */
  url(path = '/hook'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Answers the next requests with these responses, in order. */
  respond(...responses: ScriptedResponse[]): void {
    this.script.push(...responses);
  }

  reset(): void {
    this.posts.length = 0;
    this.script = [];
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
