import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createAwsAdapters, type AwsAdapters } from '../../../src/adapters/aws/create-aws-adapters.js';
import { connectRedis } from '../../../src/adapters/redis/connection.js';
import { RedisStateStore } from '../../../src/adapters/redis/redis-state-store.js';
import { flushPrefix, REDIS_URL, uniquePrefix } from '../../support/redis.js';
import { collect, repositoryRef } from './helpers.js';

const TIMEOUTS = { connectMs: 500, requestMs: 400 };
/** two attempts (one SDK retry) of one request timeout each, plus the SDK's backoff and some scheduling slack */
const BOUND_MS = 2 * TIMEOUTS.requestMs + 1_200;
const LOCK = { ttlMs: 60_000, waitMs: 0 };

/** A TCP server that accepts every connection and never sends a byte: a hung endpoint. */
const startSilentServer = async () => {
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => sockets.length,
    stop: async () => {
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => server.close(resolve));
    },
  };
};

const timed = async (work: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> => {
  const started = Date.now();
  try {
    await work();
  } catch (error) {
    return { error, ms: Date.now() - started };
  }
  throw new Error('expected the call to fail');
};

describe('AWS calls against an endpoint that accepts and never answers', () => {
  let silent: Awaited<ReturnType<typeof startSilentServer>>;
  let adapters: AwsAdapters;
  const redis = connectRedis(REDIS_URL, { maxRetriesPerRequest: 2 });
  const prefix = uniquePrefix();
  const state = new RedisStateStore(redis, prefix);

  beforeAll(async () => {
    silent = await startSilentServer();
    adapters = createAwsAdapters({
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIAHUBWARDENTIMEOUT', secretAccessKey: 'not-a-real-secret' },
      memberRoleArn: 'arn:{partition}:iam::{accountId}:role/hubwarden-member',
      timeouts: TIMEOUTS,
      clientConfig: { endpoint: silent.url },
    });
  });
  afterAll(async () => {
    adapters.destroy();
    await silent.stop();
    await flushPrefix(prefix);
    redis.disconnect();
  });

  it('a poll fails within the request timeout plus one retry, and the poll lock is free again', async () => {
    const before = silent.connections();
    const { error, ms } = await timed(() =>
      state.withLock('poll', LOCK, () => collect(adapters.findingsSource.pages({ controlId: 'ECR.2' }))),
    );
    expect(error).toMatchObject({ kind: 'retryable', code: 'securityhub.timeout', service: 'securityhub' });
    expect(ms).toBeGreaterThanOrEqual(2 * TIMEOUTS.requestMs - 50);
    expect(ms).toBeLessThan(BOUND_MS);
    expect(silent.connections() - before).toBe(2);
    await expect(state.withLock('poll', LOCK, async () => 'free')).resolves.toBe('free');
  });

  it('a repository job fails within the bound when STS (the member role) hangs, and frees its lock', async () => {
    const repository = repositoryRef('222222222222', 'us-east-1', 'team/api');
    const { error, ms } = await timed(() =>
      state.withLock(`repo:${repository.key}`, LOCK, () => adapters.repositoryRegistry.tags(repository)),
    );
    expect(error).toMatchObject({ kind: 'retryable', code: 'sts.timeout' });
    expect(ms).toBeLessThan(BOUND_MS);
    await expect(state.withLock(`repo:${repository.key}`, LOCK, async () => 'free')).resolves.toBe('free');
  });

  it('the caller identity check fails within the bound too', async () => {
    const { error, ms } = await timed(() => adapters.callerIdentity());
    expect(error).toMatchObject({ kind: 'retryable', code: 'sts.timeout' });
    expect(ms).toBeLessThan(BOUND_MS);
  });
});

describe('ECR with base credentials against a silent endpoint', () => {
  it('fails within the request timeout plus one retry', async () => {
    const silent = await startSilentServer();
    const adapters = createAwsAdapters({
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIAHUBWARDENTIMEOUT', secretAccessKey: 'not-a-real-secret' },
      timeouts: TIMEOUTS,
      clientConfig: { endpoint: silent.url },
    });
    try {
      const { error, ms } = await timed(() =>
        adapters.repositoryRegistry.images(repositoryRef('333333333333', 'eu-west-1', 'team/web')),
      );
      expect(error).toMatchObject({ kind: 'retryable', code: 'ecr.timeout' });
      expect(ms).toBeLessThan(BOUND_MS);
      expect(silent.connections()).toBe(2);
    } finally {
      adapters.destroy();
      await silent.stop();
    }
  });
});
