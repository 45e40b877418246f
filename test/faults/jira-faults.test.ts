import { describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../standins/jira/index.js';
import { startFaultWorld, type FaultWorld, type FaultWorldOptions } from './fault-world.js';
import { expectCleanStop, expectExactlyOnce } from './expect-exactly-once.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const withWorld = async (options: FaultWorldOptions, run: (world: FaultWorld) => Promise<void>) => {
  const world = await startFaultWorld(options);
  try {
    await run(world);
  } finally {
    await world.close();
  }
};

const untilRecorded = async (world: FaultWorld, count: number) => {
  while ((await world.recorded()) < count) await sleep(50);
};

/**
 * Requests that may still arrive after the 429 without anyone having seen it: already on the wire, or
 * the faulted one itself (the stand-in logs on arrival and applies the fault after reading the body).
 */
const IN_FLIGHT_GRACE_MS = 200;

describe.concurrent('Jira faults', () => {
  it('Jira answers 503 for 30 s mid-sync: every job retries through it, once each', async () => {
    await withWorld(
      { repositories: 100, seed: 601, sandbox: { aws: { rateLimits: true } } },
      async (world) => {
        const service = world.start();
        await untilRecorded(world, 20);
        const from = world.sandbox.jira.requests.length;
        world.sandbox.jira.inject({ status: 503, times: 1_000_000 });
        await sleep(30_000);
        world.sandbox.jira.clearFaults();
        const during = world.sandbox.jira.requests.length - from;
        expect(during, 'requests that met the outage').toBeGreaterThan(0);
        await world.waitUntilSettled(120_000, service);
        expectCleanStop(await service.terminate());
        // an outage that starts while a create is answered can leave a duplicate (see sigkill.test.ts)
        const duplicates = expectExactlyOnce(await world.verdict());
        if (duplicates.length > 0) console.warn('duplicates from the create/read-back window:', duplicates);
      },
    );
  });

  it('Jira answers 429 with Retry-After to its first request: nothing more before it elapses', async () => {
    await withWorld({ repositories: 20, seed: 602 }, async (world) => {
      world.sandbox.jira.inject({ status: 429, retryAfter: 6, times: 1 });
      const service = world.start();
      await world.waitUntilSettled(90_000, service);
      const [limited, next] = world.sandbox.jira.requests;
      if (!limited || !next) throw new Error('fewer than two Jira requests');
      // the client read the 429 after it arrived, so its next request may not come before this
      expect(next.at - limited.at, 'ms between the 429 and the next Jira request').toBeGreaterThanOrEqual(
        6_000,
      );
      expectCleanStop(await service.terminate());
      expectExactlyOnce(await world.verdict());
    });
  });

  it('Jira answers 429 with Retry-After mid-sync: every job finishes, once each', async () => {
    await withWorld(
      { repositories: 120, seed: 603, sandbox: { aws: { rateLimits: true } } },
      async (world) => {
        const service = world.start();
        await untilRecorded(world, 20);
        world.sandbox.jira.inject({ status: 429, retryAfter: 5, times: 1, route: 'POST /rest/api/3/issue' });
        await world.waitUntilSettled(120_000, service);
        expectCleanStop(await service.terminate());
        expectExactlyOnce(await world.verdict());
      },
    );
  });

  // After a 429 the client-side Jira bucket (src/adapters/jira/rate-limited-request.ts) holds back every
  // caller, including those already asleep on an earlier reservation (a shared "not before" time). At 4
  // requests a second and 8 jobs at once, several callers are always asleep in the bucket.
  it('Jira answers 429 with Retry-After mid-sync: no request before it elapses', async () => {
    await withWorld(
      {
        repositories: 60,
        seed: 605,
        sandbox: { aws: { rateLimits: true } },
        env: { JIRA_REQUESTS_PER_SECOND: '4' },
      },
      async (world) => {
        const service = world.start();
        await untilRecorded(world, 10);
        const from = world.sandbox.jira.requests.length;
        // on the create route, so the faulted request is the first create logged after this point
        world.sandbox.jira.inject({ status: 429, retryAfter: 5, times: 1, route: 'POST /rest/api/3/issue' });
        await world.waitUntilSettled(120_000, service);
        expectCleanStop(await service.terminate());
        expectExactlyOnce(await world.verdict());
        const { requests } = world.sandbox.jira;
        const limited = requests.slice(from).find((request) => request.route === 'POST /rest/api/3/issue');
        if (!limited) throw new Error('no create request after the fault was armed');
        const early = requests.filter(
          (request: RecordedRequest) =>
            request.at > limited.at + IN_FLIGHT_GRACE_MS && request.at < limited.at + 5_000,
        );
        expect(
          early.map((request) => `${request.at - limited.at} ms after: ${request.route}`),
          'Jira requests inside the Retry-After window',
        ).toEqual([]);
      },
    );
  });
});
