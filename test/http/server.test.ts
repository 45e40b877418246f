import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/app/metrics.js';
import { silentLogger } from '../../src/core/ports/logger.js';
import { listenHttp, type HttpDeps, type HttpListeners } from '../../src/http/server.js';

const TOKEN = 'audit-token-0123456789';

const deps = (): HttpDeps => ({
  log: silentLogger,
  metrics: createMetrics(),
  ready: async () => true,
  slack: (_request, response) => {
    response.writeHead(200).end('slack');
  },
  suppressions: async () => [],
  apiToken: TOKEN,
});

const statusOf = async (port: number, path: string, init: RequestInit = {}): Promise<number> =>
  (await fetch(`http://127.0.0.1:${port}${path}`, init)).status;

const ROUTES = [
  ['/healthz', {}],
  ['/readyz', {}],
  ['/metrics', {}],
  ['/slack/events', { method: 'POST', body: '' }],
  ['/api/suppressions', { headers: { authorization: `Bearer ${TOKEN}` } }],
] as const;

let listeners: HttpListeners | undefined;
afterEach(() => listeners?.close());

describe('listenHttp', () => {
  it('serves every route on one port without a metrics port', async () => {
    listeners = await listenHttp(deps(), { port: 0, metricsPort: undefined, host: '127.0.0.1' });
    expect(listeners.metricsPort).toBe(listeners.port);
    for (const [path, init] of ROUTES) expect(await statusOf(listeners.port, path, init), path).toBe(200);
  });

  it('with a metrics port, health and metrics answer only there and the public port only Slack and /api', async () => {
    listeners = await listenHttp(deps(), { port: 0, metricsPort: 0, host: '127.0.0.1' });
    const { port, metricsPort } = listeners;
    expect(metricsPort).not.toBe(port);
    const seen: Record<string, [number, number]> = {};
    for (const [path, init] of ROUTES) {
      seen[path] = [await statusOf(port, path, init), await statusOf(metricsPort, path, init)];
    }
    expect(seen).toEqual({
      '/healthz': [404, 200],
      '/readyz': [404, 200],
      '/metrics': [404, 200],
      '/slack/events': [200, 404],
      '/api/suppressions': [200, 404],
    });
  });
});
