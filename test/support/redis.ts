import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A queue prefix of its own per test, so tests share one Redis without seeing each other. */
export const uniquePrefix = (): string => `{hw-test-${randomUUID().slice(0, 8)}}`;

/** Deletes every key under a prefix: what FLUSHALL does to one deployment, without touching others. */
export const flushPrefix = async (prefix: string): Promise<number> => {
  const redis = new Redis(REDIS_URL);
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
};
