import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { connectRedis } from '../../src/adapters/redis/connection.js';
import { RedisStateStore } from '../../src/adapters/redis/redis-state-store.js';
import { MemoryStateStore } from '../support/memory-state-store.js';
import { manualClock } from '../support/fake-ports.js';
import { flushPrefix, REDIS_URL, uniquePrefix } from '../support/redis.js';
import { stateStoreContract } from './state-store.contract.js';

stateStoreContract('memory', async () => {
  const time = manualClock();
  return {
    store: new MemoryStateStore({ clock: time.clock }),
    elapse: async (ms) => time.advance(ms),
  };
});

const redis = connectRedis(REDIS_URL, { maxRetriesPerRequest: 2 });
const prefixes: string[] = [];

afterEach(async () => {
  await Promise.all(prefixes.splice(0).map((prefix) => flushPrefix(prefix)));
});

afterAll(() => {
  redis.disconnect();
});

stateStoreContract('redis', async () => {
  const prefix = uniquePrefix();
  prefixes.push(prefix);
  return {
    store: new RedisStateStore(redis, prefix),
    elapse: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
});

describe('RedisStateStore: the finding ids of a read', () => {
  it('live in one expiring set per read, deleted when the read ends', async () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const seen = new RedisStateStore(redis, prefix).seenFindings();
    await seen.add(['f-1', 'f-2']);
    const [key, ...others] = await redis.keys(`${prefix}:state:seen-findings:*`);
    expect(others).toEqual([]);
    expect(await redis.scard(key ?? '')).toBe(2);
    // a read that never ends leaves its set behind for hours at most
    const ttl = await redis.pttl(key ?? '');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(6 * 60 * 60 * 1000);
    await seen.discard();
    expect(await redis.exists(key ?? '')).toBe(0);
  });
});
