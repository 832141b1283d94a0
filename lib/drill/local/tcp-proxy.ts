import net from 'node:net';

/**
 * The local stand-in for RDS Proxy in the rehearsal: the local stack's pool connects here, and a
 * switch-over re-points it at another server, as `register-db-proxy-targets` does on AWS. A
 * switch closes every open connection, so the pool reconnects to the new target; new
 * connections while no target is reachable fail at once (the client sees a reset).
 */
export class TcpProxy {
  private readonly server = net.createServer((client) => this.accept(client));
  private readonly open = new Set<net.Socket>();
  private targetPort: number;
  port = 0;

  constructor(targetPort: number) {
    this.targetPort = targetPort;
  }

  get target(): number {
    return this.targetPort;
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }

  /** New connections go to `port`; every open one is closed. */
  switchTo(port: number): void {
    this.targetPort = port;
    for (const socket of this.open) socket.destroy();
    this.open.clear();
  }

  async close(): Promise<void> {
    for (const socket of this.open) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    const upstream = net.connect(this.targetPort, '127.0.0.1');
    this.open.add(client).add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      this.open.delete(client);
      this.open.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.pipe(upstream).pipe(client);
  }
}
