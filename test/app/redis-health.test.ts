import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchRedis } from '../../src/app/redis-health.js';
import type { Logger } from '../../src/core/ports/logger.js';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis.js';
import { waitFor } from '../support/wait-for.js';

interface Line {
  readonly level: string;
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

const recordingLogger = (lines: Line[]): Logger => {
  const at =
    (level: string) =>
    (fields: object, message: string): void => {
      lines.push({ level, fields: fields as Record<string, unknown>, message });
    };
  const log: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => log,
  };
  return log;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('watchRedis (a private redis-server, stopped and started again)', () => {
  let redis: PrivateRedis;
  beforeAll(async () => {
    redis = await startPrivateRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('folds an outage into one log line per interval, answers false at once, and sees Redis return', async () => {
    const lines: Line[] = [];
    const client = new Redis(redis.url, { maxRetriesPerRequest: null });
    const health = watchRedis(client, redis.url, recordingLogger(lines), 500);
    try {
      await health.whenUp();
      expect(await health.answers()).toBe(true);

      await redis.stop();
      await waitFor('the connection to drop', () => !health.isUp(), 2_000);
      const askedAt = Date.now();
      expect(await health.answers()).toBe(false);
      expect(Date.now() - askedAt).toBeLessThan(100);
      // a queue or worker sharing the connection reports the same outage through the same listener
      for (let i = 0; i < 20; i += 1)
        health.report(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }));
      await sleep(2_000);

      const retrying = lines.filter((line) => line.message === 'redis unreachable: retrying');
      expect(retrying.length).toBeGreaterThanOrEqual(2);
      expect(retrying.length).toBeLessThanOrEqual(2_000 / 500 + 1);
      expect(retrying[0]).toMatchObject({
        level: 'warn',
        fields: { redis: `127.0.0.1:${redis.port}`, reason: 'ECONNREFUSED' },
      });
      const folded = retrying.reduce((sum, line) => sum + Number(line.fields['repeats']), 0);
      expect(folded, 'errors folded into the lines').toBeGreaterThanOrEqual(20);

      const back = health.whenUp();
      await redis.restart();
      await back;
      expect(await health.answers()).toBe(true);
      expect(lines.at(-1)).toMatchObject({ level: 'info', message: 'redis reachable again' });
    } finally {
      client.disconnect();
    }
  });
});
