import { describe, it } from 'vitest';
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

/** 150 repositories at Security Hub's real quotas: a sync of about 15 s, so "mid-run" is easy to hit. */
const LARGE = { repositories: 150, sandbox: { aws: { rateLimits: true } } } as const;

const untilRecorded = async (world: FaultWorld, count: number) => {
  while ((await world.recorded()) < count) await sleep(50);
};

describe.concurrent('Redis faults mid-run (a private redis-server; the shared one is never touched)', () => {
  it('Redis restarted (its data kept): the service reconnects and finishes, once each', async () => {
    await withWorld({ ...LARGE, seed: 501, redis: { persistent: true } }, async (world) => {
      const service = world.start();
      await untilRecorded(world, Math.floor(world.failing.length * 0.3));
      await world.redis.restart({ downMs: 3_000 });
      await world.waitUntilSettled(120_000, service);
      expectCleanStop(await service.terminate());
      expectExactlyOnce(await world.verdict());
    });
  });

  // FLUSHALL removes the queued repository jobs and the poll job scheduler; the running scheduler notices
  // within a poll interval (at most a minute), restores itself and queues a full read (src/cli/run-command.ts).
  it('Redis flushed: the running service notices and finishes the sync', async () => {
    await withWorld({ ...LARGE, seed: 502 }, async (world) => {
      const service = world.start();
      await untilRecorded(world, Math.floor(world.failing.length * 0.3));
      await world.redis.flushAll();
      // polls every 5 s: a service that recovers re-reads everything within a few polls
      await world.waitUntilSettled(60_000, service);
      expectCleanStop(await service.terminate());
      expectExactlyOnce(await world.verdict());
    });
  });

  // The notes in Security Hub carry the ticket and the message, so both are found again, not re-created.
  it('Redis flushed, then the service restarted: no repository gets a second message', async () => {
    await withWorld({ ...LARGE, seed: 503 }, async (world) => {
      const first = world.start();
      await untilRecorded(world, Math.floor(world.failing.length * 0.3));
      await world.redis.flushAll();
      expectCleanStop(await first.terminate());
      const service = world.start();
      await world.waitUntilSettled(90_000, service);
      expectCleanStop(await service.terminate());
      expectExactlyOnce(await world.verdict());
    });
  });
});
