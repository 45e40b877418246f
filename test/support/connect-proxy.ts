import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { connect } from 'node:net';

export interface ConnectProxy {
  /** `http://user:password@127.0.0.1:port` */
  readonly url: string;
  /** tunnels opened, per target `host:port` */
  readonly tunnels: Record<string, number>;
  /** CONNECTs refused for missing or wrong credentials */
  readonly refused: number;
  /** requests that were not CONNECT (absolute-form forwarding), answered 405 */
  readonly forwarded: number;
  tunnelsTo(port: number): number;
  close(): Promise<void>;
}

/**
 * A corporate proxy in miniature: it answers only `CONNECT host:port` with `Proxy-Authorization` (Basic),
 * opens the tunnel and counts it. Anything else is refused, so a client that ignores the proxy, or talks to
 * it without tunnelling or credentials, shows up in the counts.
 */
export const startConnectProxy = async (
  credentials = { user: 'hubwarden', password: 'proxy-pass-0123' },
): Promise<ConnectProxy> => {
  const tunnels: Record<string, number> = {};
  const sockets = new Set<Socket>();
  let refused = 0;
  let forwarded = 0;
  const expected = `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64')}`;
  const server = createServer((_req, res) => {
    forwarded += 1;
    res.writeHead(405).end();
  });
  server.on('connect', (req, client: Socket, head: Buffer) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    if (req.headers['proxy-authorization'] !== expected) {
      refused += 1;
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n');
      return;
    }
    const target = req.url ?? '';
    const match = /^(.+):(\d+)$/.exec(target);
    if (!match?.[1] || !match[2]) {
      client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    const upstream = connect(Number(match[2]), match[1].replace(/^\[|\]$/g, ''), () => {
      tunnels[target] = (tunnels[target] ?? 0) + 1;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${credentials.user}:${credentials.password}@127.0.0.1:${port}`,
    tunnels,
    get refused() {
      return refused;
    },
    get forwarded() {
      return forwarded;
    },
    tunnelsTo: (target) => tunnels[`127.0.0.1:${target}`] ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
};
