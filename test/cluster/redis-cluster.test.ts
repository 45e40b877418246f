import { Worker, type Job } from 'bullmq';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeQueues, createQueues, type Queues } from '../../src/adapters/bullmq/queues.js';
import { connectRedis, type RedisConnection } from '../../src/adapters/redis/connection.js';
import { RedisStateStore } from '../../src/adapters/redis/redis-state-store.js';
import { HubwardenError } from '../../src/core/errors.js';
import type { Finding, RepositoryRef } from '../../src/core/model.js';
import type { RepositoryRecord } from '../../src/core/ports/state-store.js';
import { parseRepositoryArn } from '../../src/core/repository-ref.js';
import { startLocalCluster, type LocalCluster } from './local-cluster.js';

const PREFIX = '{hubwarden}';
const SUITE = 'hubwarden on a Redis Cluster';

// Started while the file is collected, so that a machine without redis-server skips the suite, never fails it.
let skipReason = '';
const cluster: LocalCluster | undefined = await startLocalCluster().catch((error: unknown) => {
  skipReason = error instanceof Error ? error.message : String(error);
  console.warn(`[${SUITE}] skipped: could not start a local Redis Cluster (${skipReason})`);
  return undefined;
});
afterAll(async () => {
  await cluster?.stop();
});

const clusterUrl = (): string => {
  if (!cluster) throw new Error('the suite runs only with a cluster');
  return cluster.url;
};

const repository = (name: string): RepositoryRef => {
  const ref = parseRepositoryArn(`arn:aws:ecr:eu-west-1:111111111111:repository/${name}`);
  if (!ref) throw new Error(`bad test repository ${name}`);
  return ref;
};

const finding = (repo: RepositoryRef, id: string): Finding => ({
  id,
  productArn: 'arn:aws:securityhub:eu-west-1::product/aws/securityhub',
  controlId: 'ECR.2',
  repository: repo,
  compliance: 'FAILED',
  recordState: 'ACTIVE',
  workflow: 'NEW',
  title: 'ECR private repositories should have tag immutability configured',
  severity: 'MEDIUM',
  updatedAt: '2025-01-01T00:00:00.000Z',
  firstObservedAt: undefined,
  standards: [],
  resourceTags: {},
  hubwardenNote: undefined,
});

const record = (repo: RepositoryRef): RepositoryRecord => ({
  repository: repo,
  ticket: {
    key: 'SEC-1',
    url: 'https://jira.example/browse/SEC-1',
    status: 'open',
    contentHash: 'h1',
    lastComment: undefined,
  },
  message: undefined,
  owner: undefined,
  risks: [],
  fix: undefined,
  suppressionId: undefined,
  processedFingerprint: 'fp-1',
});

/** Resolves with the first job the worker completes that `matches`; rejects on the first failure. */
const nextCompleted = (worker: Worker, matches: (job: Job) => boolean) =>
  new Promise<{ job: Job; result: unknown }>((resolve, reject) => {
    worker.on('completed', (job, result) => {
      if (matches(job)) resolve({ job, result });
    });
    worker.on('failed', (_job, error) => reject(error));
  });

describe.skipIf(cluster === undefined)(cluster ? SUITE : `${SUITE} (skipped: ${skipReason})`, () => {
  let redis: RedisConnection;

  beforeAll(() => {
    redis = connectRedis(clusterUrl(), { cluster: true });
  });

  afterAll(async () => {
    await redis.quit();
  });

  it('connects as a Cluster client that BullMQ workers accept', async () => {
    expect(redis).toBeInstanceOf(Cluster);
    expect(await redis.ping()).toBe('PONG');
    // BullMQ refuses a Cluster for a Worker unless each node's connection never gives up on a command.
    expect((redis as Cluster).options.redisOptions?.maxRetriesPerRequest).toBeNull();
  });

  describe('BullMQ with the {hubwarden} prefix', () => {
    let queues: Queues;
    let worker: Worker;

    beforeAll(() => {
      queues = createQueues(redis, PREFIX);
      // The same options as src/app/workers.ts: the shared connection and the queue prefix.
      worker = new Worker('poll', async (job: Job) => ({ echoed: job.data as unknown }), {
        connection: redis,
        prefix: PREFIX,
      });
    });

    afterAll(async () => {
      await worker.close();
      await closeQueues(queues);
    });

    it('processes a job end to end', async () => {
      const done = nextCompleted(worker, (job) => job.name === 'poll-once');
      const added = await queues.poll.add('poll-once', { mode: 'full' });
      const { job, result } = await done;
      expect(job.id).toBe(added.id);
      expect(result).toEqual({ echoed: { mode: 'full' } });
      expect(await queues.poll.getJobState(added.id ?? '')).toBe('completed');
    });

    it('runs a job scheduler (upsertJobScheduler) and removes it again', async () => {
      const done = nextCompleted(worker, (job) => job.repeatJobKey === 'poll-every');
      await queues.poll.upsertJobScheduler(
        'poll-every',
        { every: 60_000 },
        {
          name: 'poll-scheduled',
          data: { mode: 'incremental' },
        },
      );
      // An `every` scheduler queues its first job at once; the next one waits a minute.
      const { job, result } = await done;
      expect(job.name).toBe('poll-scheduled');
      expect(result).toEqual({ echoed: { mode: 'incremental' } });
      expect((await queues.poll.getJobScheduler('poll-every'))?.every).toBe(60_000);
      expect(await queues.poll.removeJobScheduler('poll-every')).toBe(true);
      expect(await queues.poll.getJobSchedulersCount()).toBe(0);
    });
  });

  describe('BullMQ with a prefix without braces', () => {
    // Each BullMQ Lua script takes several keys of one queue (`<prefix>:<queue>:wait`, `:meta`, `:events`...).
    // Without a hash tag those keys hash to different slots, and Redis Cluster refuses a script whose keys
    // span slots. This is why QUEUE_PREFIX must keep its braces on a cluster.
    it('cannot add a job or a scheduler: Redis answers CROSSSLOT', async () => {
      const queues = createQueues(redis, 'hubwarden-without-braces');
      try {
        await expect(queues.poll.add('poll-once', { mode: 'full' })).rejects.toThrow(/CROSSSLOT/);
        await expect(
          queues.poll.upsertJobScheduler('poll-every', { every: 60_000 }, { name: 'poll-scheduled' }),
        ).rejects.toThrow(/CROSSSLOT/);
      } finally {
        await closeQueues(queues);
      }
    });
  });

  describe('RedisStateStore', () => {
    let state: RedisStateStore;
    const alpha = repository('team/alpha');
    const beta = repository('team/beta');

    beforeAll(() => {
      state = new RedisStateStore(redis, PREFIX);
    });

    it('stores findings in a pipeline and reads them back', async () => {
      await state.mergeFindings([finding(alpha, 'f-1'), finding(alpha, 'f-2'), finding(beta, 'f-3')]);
      expect((await state.findingsOf(alpha.key)).map((f) => f.id).sort()).toEqual(['f-1', 'f-2']);
      expect((await state.repositoryKeys()).sort()).toEqual([alpha.key, beta.key].sort());
      const seen = state.seenFindings();
      await seen.add(['f-1', 'f-3']);
      expect(await seen.retainOnlySeen()).toEqual([alpha.key]);
      await seen.discard();
      expect((await state.findingsOf(alpha.key)).map((f) => f.id)).toEqual(['f-1']);
    });

    it('writes a record in a MULTI and reads it back', async () => {
      await state.putRecord(record(alpha));
      expect(await state.getRecord(alpha.key)).toEqual(record(alpha));
      expect(await state.getRecord(repository('team/none').key)).toBeUndefined();
    });

    it('replaces the ticket index with MULTI + RENAME', async () => {
      expect(await state.lookupTicketIndex('hubwarden-x')).toEqual({ indexed: false, entry: undefined });
      const first = { key: 'SEC-1', url: 'https://jira.example/browse/SEC-1', status: 'open' } as const;
      const second = { key: 'SEC-2', url: 'https://jira.example/browse/SEC-2', status: 'done' } as const;
      await state.putTicketIndex(new Map([['hubwarden-a', first]]));
      await state.putTicketIndex(new Map([['hubwarden-b', second]]));
      expect(await state.lookupTicketIndex('hubwarden-a')).toEqual({ indexed: true, entry: undefined });
      expect(await state.lookupTicketIndex('hubwarden-b')).toEqual({ indexed: true, entry: second });
    });

    it('keeps the poll cursor', async () => {
      const cursor = { updatedAt: '2025-01-02T00:00:00.000Z', lastFullAt: '2025-01-01T00:00:00.000Z' };
      await state.setPollCursor(cursor);
      expect(await state.getPollCursor()).toEqual(cursor);
    });

    it('holds a lock (SET NX + Lua release) across callers', async () => {
      const busy = await state.withLock('repo-alpha', { ttlMs: 10_000, waitMs: 0 }, () =>
        state
          .withLock('repo-alpha', { ttlMs: 10_000, waitMs: 0 }, async () => 'inner')
          .catch((error: unknown) => error),
      );
      expect(busy).toBeInstanceOf(HubwardenError);
      expect((busy as HubwardenError).code).toBe('state.lock_busy');
      // Released: the same lock can be taken again at once.
      expect(await state.withLock('repo-alpha', { ttlMs: 10_000, waitMs: 0 }, async () => 'again')).toBe(
        'again',
      );
    });

    it('caches a value and claims a key once', async () => {
      let loads = 0;
      const load = async () => ({ loads: (loads += 1) });
      expect(await state.cached('owners', 'alpha', 60_000, load)).toEqual({ loads: 1 });
      expect(await state.cached('owners', 'alpha', 60_000, load)).toEqual({ loads: 1 });
      expect(loads).toBe(1);
      expect(await state.claim('slack-action-1', 60_000)).toBe(true);
      expect(await state.claim('slack-action-1', 60_000)).toBe(false);
    });
  });

  it('keeps every key it wrote in one slot, on one node', async () => {
    if (!(redis instanceof Cluster)) throw new Error('expected a Cluster client');
    const keysByNode = await Promise.all(
      redis.nodes('master').map(async (node) => {
        const keys: string[] = [];
        let cursor = '0';
        do {
          const [next, batch] = await node.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000);
          cursor = next;
          keys.push(...batch);
        } while (cursor !== '0');
        return keys;
      }),
    );
    const keys = keysByNode.flat();
    // Both halves wrote here: BullMQ's queue keys and the state store's keys.
    expect(keys.some((key) => key.startsWith(`${PREFIX}:poll:`))).toBe(true);
    expect(keys.some((key) => key.startsWith(`${PREFIX}:state:`))).toBe(true);
    expect(keysByNode.filter((nodeKeys) => nodeKeys.length > 0)).toHaveLength(1);
    const slots = new Set(
      await Promise.all(keys.map((key) => redis.call('CLUSTER', 'KEYSLOT', key) as Promise<number>)),
    );
    expect(slots).toEqual(new Set([await redis.call('CLUSTER', 'KEYSLOT', PREFIX)]));
  });
});
