import { afterAll, describe, expect, it } from 'vitest';
import { connectRedis, type RedisConnection } from '../../src/adapters/redis/connection.js';
import { budgetKey, redisBudgets } from '../../src/adapters/redis/redis-budget.js';
import { startLocalCluster, type LocalCluster } from './local-cluster.js';

const SUITE = 'provider budgets on a Redis Cluster';

// Started while the file is collected, so that a machine without redis-server skips the suite, never fails it.
let skipReason = '';
const cluster: LocalCluster | undefined = await startLocalCluster().catch((error: unknown) => {
  skipReason = error instanceof Error ? error.message : String(error);
  console.warn(`[${SUITE}] skipped: could not start a local Redis Cluster (${skipReason})`);
  return undefined;
});

const connections: RedisConnection[] = [];
afterAll(async () => {
  await Promise.all(connections.map((connection) => connection.quit()));
  await cluster?.stop();
});

const processOnCluster = (): RedisConnection => {
  if (!cluster) throw new Error('the suite runs only with a cluster');
  const connection = connectRedis(cluster.url, { cluster: true });
  connections.push(connection);
  return connection;
};

describe.skipIf(cluster === undefined)(cluster ? SUITE : `${SUITE} (skipped: ${skipReason})`, () => {
  it('keeps every budget of a deployment in the slot of its {hash tag}, and shares a pause between processes', async () => {
    const prefix = '{hubwarden}';
    const limit = { perSecond: 50, burst: 5 };
    const names = [
      'securityhub:GetFindings:111111111111:eu-west-1',
      'securityhub:BatchUpdateFindings:111111111111:eu-west-1',
      'jira:example.atlassian.net',
      'slack:chat.postMessage:C0PAYMENTS',
    ];
    const first = redisBudgets(processOnCluster(), {
      prefix,
      onFallback: (error) => expect.fail(String(error)),
    });
    const second = redisBudgets(processOnCluster(), {
      prefix,
      onFallback: (error) => expect.fail(String(error)),
    });
    for (const name of names) await first(name, limit).take();
    const slotOf = async (key: string) => Number(await cluster?.cli('cluster', 'keyslot', key));
    const slot = await slotOf('hubwarden');
    expect(Number.isInteger(slot)).toBe(true);
    for (const name of names) expect(await slotOf(budgetKey(prefix, name))).toBe(slot);
    await first('jira:example.atlassian.net', limit).pauseFor(300);
    const started = Date.now();
    await second('jira:example.atlassian.net', limit).take();
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
  });
});
