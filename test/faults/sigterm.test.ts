import { describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { startFaultWorld } from './fault-world.js';
import { expectCleanStop, expectExactlyOnce } from './expect-exactly-once.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('SIGTERM during a sync', () => {
  it('exits 0 within 30 s, leaves no job or lock behind, and a restart finishes once each', async () => {
    const world = await startFaultWorld({
      repositories: 150,
      seed: 801,
      sandbox: { aws: { rateLimits: true } },
    });
    try {
      const first = world.start();
      while ((await world.recorded()) < Math.floor(world.failing.length * 0.4)) await sleep(50);
      const exit = await first.terminate();
      expectCleanStop(exit);
      expect(await world.recorded(), 'the sync was still running').toBeLessThan(world.failing.length);

      // finished or handed back: nothing active (a dead worker's job would stay active until it stalls)
      // and no repository or poll lock left to block the next process
      const redis = world.redis.client();
      try {
        const repository = new Queue('repository', { connection: redis, prefix: world.prefix });
        expect(await repository.getActiveCount(), 'jobs still active after exit').toBe(0);
        await repository.close();
        expect(await redis.keys(`${world.prefix}:state:lock:*`), 'locks left behind').toEqual([]);
      } finally {
        redis.disconnect();
      }

      const second = world.start();
      // no stale lock to wait out: a clean hand-over finishes as fast as an undisturbed sync
      await world.waitUntilSettled(60_000, second);
      expectCleanStop(await second.terminate());
      expectExactlyOnce(await world.verdict());
    } finally {
      await world.close();
    }
  });
});
