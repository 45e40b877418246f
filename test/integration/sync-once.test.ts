import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config/load-config.js';
import { silentLogger } from '../../src/core/ports/logger.js';
import { syncOnce } from '../../src/cli/sync-command.js';
import { repositoryKeyOf } from '../../src/core/repository-ref.js';
import { SANDBOX_PEOPLE, startSandbox, teamIds, type Sandbox } from '../standins/sandbox.js';
import { flushPrefix, REDIS_URL, uniquePrefix } from '../support/redis.js';

describe('sync --once against the sandbox', () => {
  let sandbox: Sandbox;
  let config: Config;
  const prefix = uniquePrefix();

  beforeAll(async () => {
    sandbox = await startSandbox({
      seed: {
        repositories: 12,
        findingsPerRepository: 3,
        seed: 7,
        passingRatio: 0.15,
        otherControlFindings: 4,
      },
      jiraSearchLagMs: 2_000,
    });
    Object.assign(process.env, sandbox.env);
    config = await loadConfig({ ...sandbox.env, REDIS_URL, QUEUE_PREFIX: prefix, LOG_LEVEL: 'silent' });
  });

  // Node's warnings (e.g. MaxListenersExceededWarning) during this file's syncs: there must be none.
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
  process.on('warning', onWarning);

  afterAll(async () => {
    process.off('warning', onWarning);
    await flushPrefix(prefix);
    await sandbox.close();
  });

  const failingRepositories = () =>
    sandbox.seed.repositories.filter((repository) => repository.compliance === 'FAILED');
  const issues = () => [...sandbox.jira.issues.values()];
  const openIssues = () => issues().filter((issue) => issue.status.category !== 'done');

  it('opens exactly one ticket per failing repository, assigned to its owner', async () => {
    const { summary, exitCode } = await syncOnce(config, silentLogger);
    expect(exitCode).toBe(0);
    const failing = failingRepositories();
    expect(failing.length).toBeGreaterThanOrEqual(8);
    expect(summary.ticketsCreated).toBe(failing.length);
    expect(summary.failures).toBe(0);
    expect(issues()).toHaveLength(failing.length);
    for (const repository of failing) {
      const label = `hubwarden-${repositoryKeyOf(repository.arn)}`;
      const labelled = issues().filter((issue) => issue.labels.includes(label));
      expect(labelled, repository.arn).toHaveLength(1);
      expect(labelled[0]?.summary).toContain(repository.name);
    }
    let checked = 0;
    for (const repository of failing) {
      const tag = Object.entries(repository.tags).find(([key]) =>
        ['owner', 'team'].includes(key.toLowerCase()),
      )?.[1];
      const person = SANDBOX_PEOPLE.find((candidate) => candidate.email === tag);
      const expected = person
        ? person.accountId
        : tag && !tag.includes('@')
          ? teamIds(tag.toLowerCase()).accountId
          : undefined;
      if (!expected) continue;
      const issue = issues().find((candidate) =>
        candidate.labels.includes(`hubwarden-${repositoryKeyOf(repository.arn)}`),
      );
      expect(issue?.assignee?.accountId, repository.arn).toBe(expected);
      checked += 1;
    }
    expect(checked).toBeGreaterThanOrEqual(5);
    expect(new Set(failing.map((repository) => repository.accountId)).size).toBe(2);
    expect(new Set(failing.map((repository) => repository.region)).size).toBe(2);
  });

  it('waits for more than ten jobs without a MaxListenersExceededWarning', async () => {
    await new Promise((resolve) => setImmediate(resolve));
    expect(failingRepositories().length).toBeGreaterThan(10);
    expect(warnings).toEqual([]);
  });

  it('creates nothing on a second run', async () => {
    const { summary } = await syncOnce(config, silentLogger);
    expect(summary.ticketsCreated).toBe(0);
    expect(issues()).toHaveLength(failingRepositories().length);
  });

  it('creates no ticket and posts no message after its Redis state is wiped', async () => {
    const messages = sandbox.slack.messages.length;
    expect(messages).toBe(failingRepositories().length);
    expect(await flushPrefix(prefix)).toBeGreaterThan(0);
    const { summary } = await syncOnce(config, silentLogger);
    expect(summary.ticketsCreated).toBe(0);
    expect(summary.messagesPosted).toBe(0);
    expect(sandbox.slack.messages).toHaveLength(messages);
    expect(issues()).toHaveLength(failingRepositories().length);
  });

  it('closes the ticket of a repository that passes, and reopens the same ticket when it fails again', async () => {
    const [repository] = failingRepositories();
    if (!repository) throw new Error('no failing repository');
    const label = `hubwarden-${repositoryKeyOf(repository.arn)}`;
    sandbox.aws.securityHub.markRepositoryPassed(repository.arn);
    const closed = await syncOnce(config, silentLogger);
    expect(closed.summary.ticketsClosed).toBe(1);
    const issue = () => issues().find((candidate) => candidate.labels.includes(label));
    expect(issue()?.status.category).toBe('done');
    expect(openIssues()).toHaveLength(failingRepositories().length - 1);

    sandbox.aws.securityHub.setCompliance(repository.arn, 'FAILED');
    const reopened = await syncOnce(config, silentLogger);
    expect(reopened.summary.ticketsReopened).toBe(1);
    expect(reopened.summary.ticketsCreated).toBe(0);
    expect(issue()?.status.category).not.toBe('done');
    expect(issues()).toHaveLength(failingRepositories().length);
  });
});
