import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { connectRedis } from '../../src/adapters/redis/connection.js';
import { budgetKey, redisBudgets } from '../../src/adapters/redis/redis-budget.js';
import { grantedWithin } from '../contracts/rate-budget.contract.js';
import { flushPrefix, REDIS_URL, uniquePrefix } from '../support/redis.js';

const HOLDER = join(dirname(fileURLToPath(import.meta.url)), 'budget-holder.ts');
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const redis = connectRedis(REDIS_URL, { maxRetriesPerRequest: 2 });
const prefix = uniquePrefix();

afterAll(async () => {
  await flushPrefix(prefix);
  redis.disconnect();
});

describe('a worker process killed while it holds budget tokens', () => {
  it('costs the others at most the turns it had reserved: the budget refills on time', async () => {
    const name = 'jira:example.atlassian.net';
    const limit = { perSecond: 10, burst: 5 };
    const reserve = 8;
    const child = spawn(process.execPath, ['--import', 'tsx', HOLDER], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/tmp',
        REDIS_URL,
        BUDGET_PREFIX: prefix,
        BUDGET_NAME: name,
        BUDGET_PER_SECOND: String(limit.perSecond),
        BUDGET_BURST: String(limit.burst),
        RESERVE: String(reserve),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let childGranted = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      childGranted += chunk
        .toString('utf8')
        .split('\n')
        .filter((line) => line === 'granted').length;
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // wait until the child has taken the burst and its reservations are in the bucket (balance below zero)
    const deadline = Date.now() + 20_000;
    for (;;) {
      const tokens = Number(await redis.hget(budgetKey(prefix, name), 'tokens'));
      if (childGranted >= limit.burst && tokens <= -(reserve - 2)) break;
      if (Date.now() > deadline) throw new Error(`the holder never reserved its turns (tokens ${tokens})`);
      await sleep(20);
    }
    child.kill('SIGKILL');
    await exited;
    const killedAt = Date.now();

    const budget = redisBudgets(redis, { prefix })(name, limit);
    const firstTurn = await budget.take().then(() => Date.now() - killedAt);
    // the dead process's reservations (≤ reserve turns at 10/s) are the only debt: under a second, never stuck
    expect(firstTurn).toBeLessThanOrEqual(((reserve + 1) / limit.perSecond) * 1_000 + 200);
    // and from then on the survivors get the full rate
    const granted = await grantedWithin([(ms) => budget.tryTake(ms), (ms) => budget.tryTake(ms)], 1_000);
    expect(granted).toBeGreaterThanOrEqual(limit.perSecond - 2);
    expect(granted).toBeLessThanOrEqual(limit.perSecond + 1);
  });
});
