import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from '../core/ports/logger.js';
import type { Suppression } from '../core/suppression.js';
import type { Metrics } from '../app/metrics.js';
import { filterSuppressions, formatSuppressions, type StatusFilter } from '../app/suppression-report.js';

export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => Promise<void> | void;

export interface HttpDeps {
  readonly log: Logger;
  readonly metrics: Metrics;
  /** Redis answers and configuration is loaded */
  readonly ready: () => Promise<boolean>;
  /** Slack interactivity and events; absent: 404 */
  readonly slack: RequestHandler | undefined;
  readonly suppressions: () => Promise<Suppression[]>;
  /** bearer token for /api/*; absent: /api/* answers 404 */
  readonly apiToken: string | undefined;
}

const STATUSES = new Set(['active', 'pending', 'revoked', 'expired', 'all']);

const send = (response: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8') => {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  response.end(body);
};

const bearerMatches = (header: string | undefined, token: string): boolean => {
  const presented = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(token);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
};

/**
 * Which routes a server answers: `all` on one port; or, with a metrics port of its own, `public`
 * (`/slack/events`, `/api/*`: what an ingress exposes) and `internal` (`/healthz`, `/readyz`, `/metrics`).
 */
export type RouteSet = 'all' | 'public' | 'internal';

/** An HTTP server for Slack, health, metrics and the audit API, or the part of them `routes` names. */
const createHttpServer = (deps: HttpDeps, routes: RouteSet = 'all'): Server =>
  createServer((request, response) => {
    void route(deps, request, response, routes).catch((error: unknown) => {
      deps.log.error({ err: error, path: request.url }, 'request failed');
      if (!response.headersSent) send(response, 500, 'internal error\n');
      else response.end();
    });
  });

export interface HttpListeners {
  /** the port serving Slack and `/api/*` (and everything, when there is one port) */
  readonly port: number;
  /** the port serving `/healthz`, `/readyz`, `/metrics` */
  readonly metricsPort: number;
  close(): void;
}

const listen = async (server: Server, port: number, host: string): Promise<number> => {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return typeof address === 'object' && address ? address.port : port;
};

/** One server on `port`; with `metricsPort`, health and metrics move to a second server there. */
export const listenHttp = async (
  deps: HttpDeps,
  options: { port: number; metricsPort: number | undefined; host?: string },
): Promise<HttpListeners> => {
  const host = options.host ?? '0.0.0.0';
  if (options.metricsPort === undefined) {
    const server = createHttpServer(deps, 'all');
    const port = await listen(server, options.port, host);
    return { port, metricsPort: port, close: () => closeServer(server) };
  }
  const publicServer = createHttpServer(deps, 'public');
  const internalServer = createHttpServer(deps, 'internal');
  const port = await listen(publicServer, options.port, host);
  const metricsPort = await listen(internalServer, options.metricsPort, host).catch((error: unknown) => {
    closeServer(publicServer);
    throw error;
  });
  return {
    port,
    metricsPort,
    close: () => {
      closeServer(publicServer);
      closeServer(internalServer);
    },
  };
};

const closeServer = (server: Server): void => {
  server.close();
  server.closeAllConnections();
};

const route = async (
  deps: HttpDeps,
  request: IncomingMessage,
  response: ServerResponse,
  routes: RouteSet,
): Promise<void> => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const method = request.method ?? 'GET';
  if (routes !== 'public') {
    if (url.pathname === '/healthz' && method === 'GET') return send(response, 200, 'ok\n');
    if (url.pathname === '/readyz' && method === 'GET') {
      const ready = await deps.ready().catch(() => false);
      return send(response, ready ? 200 : 503, ready ? 'ready\n' : 'not ready\n');
    }
    if (url.pathname === '/metrics' && method === 'GET') {
      return send(response, 200, await deps.metrics.registry.metrics(), deps.metrics.registry.contentType);
    }
  }
  if (routes === 'internal') return send(response, 404, 'not found\n');
  if (url.pathname === '/slack/events' && method === 'POST' && deps.slack)
    return deps.slack(request, response);
  if (url.pathname === '/api/suppressions' && method === 'GET' && deps.apiToken) {
    if (!bearerMatches(request.headers.authorization, deps.apiToken)) {
      response.setHeader('www-authenticate', 'Bearer');
      return send(response, 401, 'unauthorized\n');
    }
    const status = url.searchParams.get('status') ?? 'all';
    const format = url.searchParams.get('format') ?? 'json';
    if (!STATUSES.has(status) || (format !== 'json' && format !== 'csv')) {
      return send(response, 400, 'status must be active|pending|revoked|expired|all, format json|csv\n');
    }
    // the trail lives in Redis: without it, say so now rather than hold the request until it returns
    if (!(await deps.ready().catch(() => false))) return send(response, 503, 'redis unavailable\n');
    const rows = filterSuppressions(await deps.suppressions(), status as StatusFilter);
    return format === 'csv'
      ? send(response, 200, formatSuppressions(rows, 'csv'), 'text/csv; charset=utf-8')
      : send(response, 200, formatSuppressions(rows, 'json'), 'application/json');
  }
  send(response, 404, 'not found\n');
};
