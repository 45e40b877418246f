import { afterAll, afterEach } from 'vitest';
import { connectRedis } from '../../src/adapters/redis/connection.js';
import { redisBudgets } from '../../src/adapters/redis/redis-budget.js';
import { inMemoryBudgets } from '../../src/shared/token-bucket.js';
import { flushPrefix, REDIS_URL, uniquePrefix } from '../support/redis.js';
import { rateBudgetContract } from './rate-budget.contract.js';

rateBudgetContract('in-process token bucket', async () => ({ budgets: inMemoryBudgets() }));

const redis = connectRedis(REDIS_URL, { maxRetriesPerRequest: 2 });
const prefixes: string[] = [];

afterEach(async () => {
  await Promise.all(prefixes.splice(0).map((prefix) => flushPrefix(prefix)));
});

afterAll(() => {
  redis.disconnect();
});

rateBudgetContract('redis', async () => {
  const prefix = uniquePrefix();
  prefixes.push(prefix);
  return {
    budgets: redisBudgets(redis, {
      prefix,
      onFallback: (error) => {
        throw new Error(`the Redis budget fell back to the process: ${String(error)}`);
      },
    }),
  };
});
