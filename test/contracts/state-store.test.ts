import { afterAll, afterEach } from 'vitest';
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
