import { describe, expect, it } from 'vitest';
import { probeRedis, redisFailureReason, redisTarget } from '../../../src/adapters/redis/reachability.js';
import { freePort } from '../../support/private-redis.js';
import { REDIS_URL } from '../../support/redis.js';

describe('Redis reachability', () => {
  it('names host and port, never the credentials', () => {
    expect(redisTarget('rediss://hubwarden:s3cret-pass@cache.example.com:6380/0')).toBe(
      'cache.example.com:6380',
    );
    expect(redisTarget('redis://:s3cret-pass@10.0.0.7')).toBe('10.0.0.7:6379');
    expect(redisTarget('redis://[::1]:6390')).toBe('[::1]:6390');
    expect(redisTarget('not a url s3cret-pass')).toBe('REDIS_URL');
  });

  it('gives the socket error code, or the first line of Redis refusal', () => {
    expect(
      redisFailureReason(
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      ),
    ).toBe('ECONNREFUSED');
    expect(redisFailureReason(new Error('WRONGPASS invalid username-password pair\nmore'))).toBe(
      'WRONGPASS invalid username-password pair',
    );
  });

  it('answers at once when Redis is up, and gives up after its retry budget when nothing listens', async () => {
    expect(await probeRedis(REDIS_URL)).toEqual({ reachable: true });
    const port = await freePort();
    const startedAt = Date.now();
    expect(await probeRedis(`redis://127.0.0.1:${port}`, { retryForMs: 500 })).toEqual({
      reachable: false,
      target: `127.0.0.1:${port}`,
      reason: 'ECONNREFUSED',
    });
    expect(Date.now() - startedAt).toBeLessThan(3_000);
  });
});
