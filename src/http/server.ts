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

/** The one HTTP server: Slack, health, metrics and the audit API share a port (CONTRACT §4). */
export const createHttpServer = (deps: HttpDeps): Server =>
  createServer((request, response) => {
    void route(deps, request, response).catch((error: unknown) => {
      deps.log.error({ err: error, path: request.url }, 'request failed');
      if (!response.headersSent) send(response, 500, 'internal error\n');
      else response.end();
    });
  });

const route = async (deps: HttpDeps, request: IncomingMessage, response: ServerResponse): Promise<void> => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const method = request.method ?? 'GET';
  if (url.pathname === '/healthz' && method === 'GET') return send(response, 200, 'ok\n');
  if (url.pathname === '/readyz' && method === 'GET') {
    const ready = await deps.ready().catch(() => false);
    return send(response, ready ? 200 : 503, ready ? 'ready\n' : 'not ready\n');
  }
  if (url.pathname === '/metrics' && method === 'GET') {
    return send(response, 200, await deps.metrics.registry.metrics(), deps.metrics.registry.contentType);
  }
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
