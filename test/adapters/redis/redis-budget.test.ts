import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { connectRedis } from '../../../src/adapters/redis/connection.js';
import { budgetKey, redisBudgets } from '../../../src/adapters/redis/redis-budget.js';
import { inMemoryBudgets } from '../../../src/shared/token-bucket.js';
import { grantedWithin } from '../../contracts/rate-budget.contract.js';
import { flushPrefix, REDIS_URL, uniquePrefix } from '../../support/redis.js';

// Two connections stand for two worker processes of one deployment.
const processA = connectRedis(REDIS_URL, { maxRetriesPerRequest: 2 });
const processB = connectRedis(REDIS_URL, { maxRetriesPerRequest: 2 });
const prefixes: string[] = [];
const freshPrefix = () => {
  const prefix = uniquePrefix();
  prefixes.push(prefix);
  return prefix;
};

afterEach(async () => {
  await Promise.all(prefixes.splice(0).map((prefix) => flushPrefix(prefix)));
});

afterAll(() => {
  processA.disconnect();
  processB.disconnect();
});

/** What Redis Cluster hashes for a key: the text between the first `{` and the next `}`, when not empty. */
const hashedPartOf = (key: string): string => {
  const open = key.indexOf('{');
  const close = open === -1 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
};

const LIMIT = { perSecond: 10, burst: 2 };

describe('redisBudgets', () => {
  it('shares one budget between processes: together they get the rate, not twice the rate', async () => {
    const prefix = freshPrefix();
    const a = redisBudgets(processA, { prefix })('jira:example.atlassian.net', LIMIT);
    const b = redisBudgets(processB, { prefix })('jira:example.atlassian.net', LIMIT);
    const granted = await grantedWithin(
      [a, a, b, b].map((budget) => (ms: number) => budget.tryTake(ms)),
      1_000,
    );
    expect(granted).toBeLessThanOrEqual(LIMIT.burst + LIMIT.perSecond + 1);
    expect(granted).toBeGreaterThanOrEqual(LIMIT.perSecond - 2);
  });

  it('(for comparison) two processes with budgets of their own get about twice the rate', async () => {
    const a = inMemoryBudgets()('jira', LIMIT);
    const b = inMemoryBudgets()('jira', LIMIT);
    const granted = await grantedWithin(
      [a, b].map((budget) => (ms: number) => budget.tryTake(ms)),
      1_000,
    );
    expect(granted).toBeGreaterThan(LIMIT.burst + LIMIT.perSecond + 1);
  });

  it('pauses the budget for every process when one of them is told Retry-After', async () => {
    const prefix = freshPrefix();
    const a = redisBudgets(processA, { prefix })('slack:C0123', LIMIT);
    const b = redisBudgets(processB, { prefix })('slack:C0123', LIMIT);
    await a.pauseFor(400);
    const started = Date.now();
    await b.take();
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
    // the other process was not paused by a budget of another name
    const other = redisBudgets(processB, { prefix })('slack:C0999', LIMIT);
    expect(await other.tryTake(0)).toBe(0);
  });

  it('keeps each budget in one key under the deployment prefix, in the slot of its {hash tag}, expiring when idle', async () => {
    const prefix = freshPrefix();
    await redisBudgets(processA, { prefix })('securityhub:GetFindings:111111111111:eu-west-1', LIMIT).take();
    const keys = await processA.keys(`${prefix}*`);
    expect(keys).toEqual([budgetKey(prefix, 'securityhub:GetFindings:111111111111:eu-west-1')]);
    const tag = hashedPartOf(prefix);
    expect(tag).not.toBe(prefix);
    for (const key of keys) expect(hashedPartOf(key)).toBe(tag);
    // names may carry braces of their own: the prefix's tag comes first and wins
    expect(hashedPartOf(budgetKey(prefix, 'jira:{odd}'))).toBe(tag);
    const ttl = await processA.pttl(keys[0] ?? '');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1_000 + 1_000 / LIMIT.perSecond + 50);
  });

  it('falls back to a budget of its own while Redis does not answer, says so once, and tries Redis again later', async () => {
    // a connection that queues commands while it reconnects, as the service's does: only the timeout ends a call
    const down = new Redis({ port: 1, maxRetriesPerRequest: null, retryStrategy: () => 50 });
    down.on('error', () => undefined);
    const told: unknown[] = [];
    const budgets = redisBudgets(down, {
      prefix: freshPrefix(),
      timeoutMs: 100,
      retryAfterMs: 300,
      onFallback: (error) => told.push(error),
    });
    const budget = budgets('ecr:111111111111:eu-west-1', { perSecond: 100, burst: 3 });
    const started = Date.now();
    for (let i = 0; i < 3; i += 1) expect(await budget.tryTake(0)).toBe(0);
    // only the first call waited for Redis; the others went straight to the process's own bucket
    expect(Date.now() - started).toBeLessThan(250);
    // that bucket is spent now: the process keeps pacing instead of waving calls through
    expect(await budget.tryTake(0)).toBeGreaterThan(0);
    expect(told).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 350));
    const retried = Date.now();
    await budget.take();
    expect(Date.now() - retried).toBeGreaterThanOrEqual(90);
    down.disconnect();
  });
});
