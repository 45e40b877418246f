import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config/load-config.js';
import { syncOnce } from '../../src/cli/sync-command.js';
import { silentLogger } from '../../src/core/ports/logger.js';
import { repositoryKeyOf } from '../../src/core/repository-ref.js';
import { startSandbox, type Sandbox } from '../standins/sandbox.js';
import { flushPrefix, REDIS_URL, uniquePrefix } from '../support/redis.js';

/**
 * A repository that goes FAILED → PASSED → FAILED within the hour ends with the findings it started
 * with, while the first run's completed job is still kept: the third run is new work all the same.
 */
describe('a repository that returns to an earlier state', () => {
  let sandbox: Sandbox;
  let config: Config;
  const prefix = uniquePrefix();

  beforeAll(async () => {
    sandbox = await startSandbox({
      seed: { repositories: 3, findingsPerRepository: 2, seed: 11, passingRatio: 0 },
    });
    Object.assign(process.env, sandbox.env);
    config = await loadConfig({ ...sandbox.env, REDIS_URL, QUEUE_PREFIX: prefix, LOG_LEVEL: 'silent' });
  });

  afterAll(async () => {
    await flushPrefix(prefix);
    await sandbox.close();
  });

  it('is processed again: its ticket is reopened and its findings notified', async () => {
    const [repository] = sandbox.seed.repositories;
    if (!repository) throw new Error('no repository seeded');
    const label = `hubwarden-${repositoryKeyOf(repository.arn)}`;
    const issue = () =>
      [...sandbox.jira.issues.values()].find((candidate) => candidate.labels.includes(label));

    const first = await syncOnce(config, silentLogger);
    expect(first.summary.ticketsCreated).toBe(3);
    expect(issue()?.status.category).not.toBe('done');

    sandbox.aws.securityHub.markRepositoryPassed(repository.arn);
    const passed = await syncOnce(config, silentLogger);
    expect(passed.summary.ticketsClosed).toBe(1);
    expect(issue()?.status.category).toBe('done');

    sandbox.aws.securityHub.setCompliance(repository.arn, 'FAILED');
    const again = await syncOnce(config, silentLogger);
    expect(again.summary.jobs).toBe(1);
    expect(again.summary.ticketsReopened).toBe(1);
    expect(again.summary.ticketsCreated).toBe(0);
    expect(issue()?.status.category).not.toBe('done');
  });
});
