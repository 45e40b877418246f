import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisStateStore } from '../../src/adapters/redis/redis-state-store.js';
import { RedisUnreachableError } from '../../src/adapters/redis/reachability.js';
import { composeAuditTrail, composeScan } from '../../src/app/composition-root.js';
import { loadScanConfig } from '../../src/config/load-config.js';
import { findingOf, suppressionOf } from '../support/fake-ports.js';
import { flushPrefix, REDIS_URL, uniquePrefix } from '../support/redis.js';

/** Nothing listens here: a refused connection, answered at once. */
const NO_REDIS = 'redis://127.0.0.1:1';

const repository = findingOf({
  accountId: '111111111111',
  region: 'eu-west-1',
  repositoryName: 'team/api',
}).repository;

describe("the composition root builds the one-shot commands' parts", () => {
  let directory: string;
  let ownersPath: string;
  const prefixes: string[] = [];

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'hw-compose-'));
    ownersPath = join(directory, 'hubwarden.yml');
    await writeFile(
      ownersPath,
      'defaultOwner:\n  slackChannel: C0SECURITY\nsecurityReviewers: [U0SECLEAD]\n',
    );
  });
  afterAll(async () => rm(directory, { recursive: true, force: true }));
  afterEach(async () => {
    for (const prefix of prefixes.splice(0)) await flushPrefix(prefix);
  });

  const scanConfig = (redisUrl: string, prefix: string) =>
    loadScanConfig({
      AWS_REGION: 'eu-west-1',
      HUBWARDEN_CONFIG: ownersPath,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: prefix,
    });

  it('scan: reads the state under the deployment prefix when Redis answers', async () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const writer = new Redis(REDIS_URL);
    await new RedisStateStore(writer, prefix).putSuppression(suppressionOf(repository, { id: 's-1' }));
    writer.disconnect();
    const parts = await composeScan(await scanConfig(REDIS_URL, prefix));
    try {
      expect(parts.redisUnreachable).toBeUndefined();
      expect((await parts.state?.listSuppressions())?.map((item) => item.id)).toEqual(['s-1']);
    } finally {
      parts.close();
    }
  });

  it('scan: without Redis, AWS only, and says where Redis was looked for', async () => {
    const parts = await composeScan(await scanConfig(NO_REDIS, uniquePrefix()));
    try {
      expect(parts.state).toBeUndefined();
      expect(parts.redisUnreachable).toEqual({ target: '127.0.0.1:1', reason: 'ECONNREFUSED' });
      expect(typeof parts.aws.findingsSource.pages).toBe('function');
    } finally {
      parts.close();
    }
  });

  it('suppressions: the audit trail under the deployment prefix', async () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const writer = new Redis(REDIS_URL);
    await new RedisStateStore(writer, prefix).putSuppression(suppressionOf(repository, { id: 's-2' }));
    writer.disconnect();
    const trail = await composeAuditTrail({
      env: { REDIS_URL, REDIS_CLUSTER: false, QUEUE_PREFIX: prefix },
    });
    try {
      expect((await trail.state.listSuppressions()).map((item) => item.id)).toEqual(['s-2']);
    } finally {
      trail.close();
    }
  });

  it('suppressions: refuses with the one line to print when Redis does not answer', async () => {
    const refused = await composeAuditTrail({
      env: { REDIS_URL: NO_REDIS, REDIS_CLUSTER: false, QUEUE_PREFIX: uniquePrefix() },
    }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RedisUnreachableError);
    expect((refused as Error).message).toBe('redis: unreachable at 127.0.0.1:1 (ECONNREFUSED)');
  });
});
