import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';

/** The proxy for a target host and port, or `undefined` to connect directly (NO_PROXY). */
export type ProxyChooser = (hostname: string, port: number) => URL | undefined;

const CONNECT_TIMEOUT_MS = 10_000;

type ConnectionCallback = (error: Error | null, socket: Duplex) => void;
type ConnectionOptions = http.ClientRequestArgs & { servername?: string };

const targetOf = (options: ConnectionOptions, defaultPort: number) => ({
  hostname: options.hostname ?? options.host ?? 'localhost',
  port: Number(options.port ?? defaultPort) || defaultPort,
});

/** `Proxy-Authorization` from the proxy URL's user info (`http://user:password@proxy:3128`). */
const proxyAuthorization = (proxy: URL): Record<string, string> =>
  proxy.username === ''
    ? {}
    : {
        'proxy-authorization': `Basic ${Buffer.from(
          `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`,
        ).toString('base64')}`,
      };

/** Opens `CONNECT hostname:port` through the proxy and resolves with the tunnelled socket. */
const openTunnel = (proxy: URL, hostname: string, port: number): Promise<net.Socket> =>
  new Promise((resolve, reject) => {
    const authority = `${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}`;
    const request = (proxy.protocol === 'https:' ? https : http).request({
      host: proxy.hostname,
      port: proxy.port || (proxy.protocol === 'https:' ? 443 : 80),
      method: 'CONNECT',
      path: authority,
      headers: { host: authority, ...proxyAuthorization(proxy) },
      agent: false,
    });
    request.setTimeout(CONNECT_TIMEOUT_MS, () =>
      request.destroy(
        new Error(`proxy did not open a tunnel to ${authority} within ${CONNECT_TIMEOUT_MS} ms`),
      ),
    );
    request.once('connect', (response, socket) => {
      request.setTimeout(0);
      if (response.statusCode === 200) {
        resolve(socket);
        return;
      }
      socket.destroy();
      // the status only: a proxy's answer may echo the credentials it was sent
      reject(new Error(`proxy refused CONNECT ${authority}: HTTP ${response.statusCode ?? '?'}`));
    });
    request.once('error', reject);
    request.end();
  });

/**
 * `http.Agent` that reaches each host through a CONNECT tunnel (or directly, as `choose` says), keeping
 * the agent's pooling and keep-alive. Node calls `createConnection` with a callback and waits for it.
 */
export class TunnellingHttpAgent extends http.Agent {
  constructor(
    private readonly choose: ProxyChooser,
    options: http.AgentOptions = {},
  ) {
    super({ keepAlive: true, ...options });
  }

  override createConnection(
    options: ConnectionOptions,
    callback?: ConnectionCallback,
  ): Duplex | null | undefined {
    const { hostname, port } = targetOf(options, 80);
    const proxy = this.choose(hostname, port);
    if (!proxy || !callback) return super.createConnection(options, callback);
    openTunnel(proxy, hostname, port).then(
      (socket) => callback(null, socket),
      (error: Error) => callback(error, undefined as never),
    );
    return undefined;
  }
}

/** The same for `https.Agent`: TLS to the target runs inside the tunnel, verified against the target's name. */
export class TunnellingHttpsAgent extends https.Agent {
  constructor(
    private readonly choose: ProxyChooser,
    options: https.AgentOptions = {},
  ) {
    super({ keepAlive: true, ...options });
  }

  override createConnection(
    options: ConnectionOptions,
    callback?: ConnectionCallback,
  ): Duplex | null | undefined {
    const { hostname, port } = targetOf(options, 443);
    const proxy = this.choose(hostname, port);
    if (!proxy || !callback) return super.createConnection(options, callback);
    const servername = options.servername ?? (net.isIP(hostname) ? undefined : hostname);
    openTunnel(proxy, hostname, port).then(
      (socket) =>
        callback(
          null,
          tls.connect({
            ...(options as tls.ConnectionOptions),
            socket,
            ...(servername ? { servername } : {}),
          }),
        ),
      (error: Error) => callback(error, undefined as never),
    );
    return undefined;
  }
}
