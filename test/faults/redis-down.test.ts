import { describe, expect, it } from 'vitest';
import { freePort } from '../support/private-redis.js';
import { waitFor } from '../support/wait-for.js';
import { expectCleanStop, expectExactlyOnce } from './expect-exactly-once.js';
import { startFaultWorld, type FaultWorld, type FaultWorldOptions } from './fault-world.js';
import type { ServiceProcess } from './service-process.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const withWorld = async (options: FaultWorldOptions, run: (world: FaultWorld) => Promise<void>) => {
  const world = await startFaultWorld(options);
  try {
    await run(world);
  } finally {
    await world.close();
  }
};

/** GET a route of the service; `undefined` while nothing listens (or it does not answer in 3 s). */
const get = async (port: number, path: string): Promise<{ status: number; body: string } | undefined> => {
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(3_000) });
    return { status: response.status, body: await response.text() };
  } catch {
    return undefined;
  }
};

interface LogLine {
  readonly msg?: string;
  readonly time?: string;
  readonly [field: string]: unknown;
}

const logLines = (service: ServiceProcess): LogLine[] =>
  service
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);

/** Redis trouble is a JSON line per retry interval: never a stack trace, never ioredis's complaint. */
const expectNoStackTrace = (service: ServiceProcess) => {
  expect(service.output()).not.toContain('Unhandled error event');
  expect(service.output()).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
};

const retryLines = (service: ServiceProcess) =>
  logLines(service).filter((line) => line.msg === 'redis unreachable: retrying');

describe.concurrent('Redis down (a private redis-server; the shared one is never touched)', () => {
  it('run started before Redis: /healthz 200 and /readyz 503 at once, a log line per retry interval, then it works', async () => {
    const port = await freePort();
    await withWorld(
      { repositories: 12, seed: 601, env: { PORT: String(port), LOG_LEVEL: 'info' } },
      async (world) => {
        await world.redis.stop();
        const service = world.start();
        const health = await waitFor('the HTTP server', () => get(port, '/healthz'), 20_000);
        expect(health.status).toBe(200);
        expect((await get(port, '/readyz'))?.status).toBe(503);
        const metrics = await get(port, '/metrics');
        expect(metrics?.status).toBe(200);
        expect(metrics?.body).toMatch(/^hubwarden_redis_up 0$/m);

        const downMs = 12_000;
        await sleep(downMs);
        // the client retries at most every 5 s (faster at first); the log says so at most every 5 s
        const lines = retryLines(service);
        expect(lines.length).toBeGreaterThanOrEqual(2);
        expect(lines.length).toBeLessThanOrEqual(Math.ceil(downMs / 5_000) + 1);
        expect(lines[0]).toMatchObject({ level: 'warn', redis: `127.0.0.1:${world.redis.port}` });
        expect(world.sandbox.jira.issues.size, 'nothing worked without Redis').toBe(0);

        await world.redis.restart();
        await waitFor('/readyz 200', async () => (await get(port, '/readyz'))?.status === 200, 15_000);
        // the workers and the poll scheduler started: the whole sync happens, once each
        await world.waitUntilSettled(90_000, service);
        expect(logLines(service).some((line) => line.msg === 'redis reachable again')).toBe(true);
        expectNoStackTrace(service);
        expectCleanStop(await service.terminate());
        expectExactlyOnce(await world.verdict());
      },
    );
  });

  it('run that never saw Redis: SIGTERM ends at once', async () => {
    const port = await freePort();
    await withWorld(
      { repositories: 3, seed: 603, env: { PORT: String(port), LOG_LEVEL: 'info' } },
      async (world) => {
        await world.redis.stop();
        const service = world.start();
        await waitFor('the HTTP server', () => get(port, '/healthz'), 20_000);
        const exit = await service.terminate();
        expectCleanStop(exit);
        expect(exit.at - exit.sentAt, 'ms from SIGTERM to exit').toBeLessThan(10_000);
        expectNoStackTrace(service);
      },
    );
  });

  it('Redis gone mid-run: /readyz 503 within 2 s, /metrics still answers, SIGTERM ends at once', async () => {
    const port = await freePort();
    await withWorld(
      { repositories: 12, seed: 602, env: { PORT: String(port), LOG_LEVEL: 'info' } },
      async (world) => {
        const service = world.start();
        await world.waitUntilSettled(90_000, service);
        expect((await get(port, '/readyz'))?.status).toBe(200);
        const before = await get(port, '/metrics');
        expect(before?.body).toMatch(/^hubwarden_redis_up 1$/m);
        expect(before?.body).toMatch(/^hubwarden_queue_jobs\{/m);

        await world.redis.stop();
        const stoppedAt = Date.now();
        await waitFor('/readyz 503', async () => (await get(port, '/readyz'))?.status === 503, 5_000);
        expect(Date.now() - stoppedAt, 'ms from Redis gone to /readyz 503').toBeLessThan(2_000);

        const metricsAt = Date.now();
        const metrics = await get(port, '/metrics');
        expect(Date.now() - metricsAt, 'ms for a scrape without Redis').toBeLessThan(2_000);
        expect(metrics?.status).toBe(200);
        expect(metrics?.body).toMatch(/^hubwarden_redis_up 0$/m);
        // provider counters stay; gauges read from Redis are left out rather than stale or zero
        expect(metrics?.body).toMatch(/^hubwarden_provider_calls_total\{service="jira"/m);
        expect(metrics?.body).not.toMatch(/^hubwarden_queue_jobs\{/m);
        expect(metrics?.body).not.toMatch(/^hubwarden_suppression_oldest_age_seconds /m);

        // the audit API reads Redis: it says so instead of holding the request
        const api = await fetch(`http://127.0.0.1:${port}/api/suppressions`, {
          headers: { authorization: `Bearer ${world.env['HUBWARDEN_API_TOKEN'] ?? ''}` },
          signal: AbortSignal.timeout(2_000),
        });
        expect(api.status).toBe(503);

        await sleep(6_000);
        expect(retryLines(service).length).toBeGreaterThanOrEqual(1);
        expect(retryLines(service).length).toBeLessThanOrEqual(3);

        // nothing to finish or hand back without Redis: no need to wait for the shutdown deadline
        const exit = await service.terminate();
        expectCleanStop(exit);
        expect(exit.at - exit.sentAt, 'ms from SIGTERM to exit with Redis gone').toBeLessThan(10_000);
        expect(logLines(service).some((line) => line.msg === 'stopped')).toBe(true);
        expectNoStackTrace(service);
      },
    );
  });
});
