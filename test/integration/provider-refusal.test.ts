import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config/load-config.js';
import { scan } from '../../src/cli/scan-command.js';
import { formatScanTable } from '../../src/cli/scan-table.js';
import { formatSummary, syncOnce } from '../../src/cli/sync-command.js';
import { silentLogger } from '../../src/core/ports/logger.js';
import { startSandbox, type Sandbox } from '../standins/sandbox.js';
import { flushPrefix, REDIS_URL, uniquePrefix } from '../support/redis.js';

const noteOf = (finding: Record<string, unknown> | undefined): string =>
  String((finding?.['Note'] as { Text?: unknown } | undefined)?.Text ?? '');
const workflowOf = (finding: Record<string, unknown> | undefined): string =>
  String((finding?.['Workflow'] as { Status?: unknown } | undefined)?.Status ?? '');

/** One provider refusing a repository's work, through the real adapters, queues and workers. */
describe('sync --once when a provider refuses', () => {
  let sandbox: Sandbox;
  let config: Config;
  const prefix = uniquePrefix();

  beforeAll(async () => {
    sandbox = await startSandbox({
      seed: { repositories: 2, findingsPerRepository: 2, seed: 5, passingRatio: 0 },
    });
    Object.assign(process.env, sandbox.env);
    config = await loadConfig({ ...sandbox.env, REDIS_URL, QUEUE_PREFIX: prefix, LOG_LEVEL: 'silent' });
  });

  afterAll(async () => {
    await flushPrefix(prefix);
    await sandbox.close();
  });

  const findings = () =>
    sandbox.seed.repositories.flatMap((repository) =>
      repository.findingIds.map(({ id, productArn }) => sandbox.aws.securityHub.finding(id, productArn)),
    );
  const blocksText = () => sandbox.slack.messages.map((message) => JSON.stringify(message.blocks));

  it('posts the messages and notifies the findings when Jira refuses every ticket, saying why', async () => {
    sandbox.jira.inject({
      route: 'POST /rest/api/3/issue',
      status: 400,
      errors: { customfield_10010: 'Team is required.' },
      times: 2,
    });
    const { summary, exitCode } = await syncOnce(config, silentLogger);
    expect(exitCode).toBe(1);
    expect(summary).toMatchObject({ ticketsCreated: 0, messagesPosted: 2, failures: 0 });
    expect(sandbox.jira.issues.size).toBe(0);
    expect(summary.providerFailures).toHaveLength(2);
    for (const line of summary.providerFailures) {
      expect(line).toMatchObject({ provider: 'jira', code: 'jira.invalid', attempts: 1 });
      expect(line.reason).toContain('customfield_10010: Team is required.');
    }
    expect(formatSummary(summary)).toContain('failing providers:   2');
    expect(sandbox.slack.messages).toHaveLength(2);
    for (const text of blocksText()) expect(text).toContain('The Jira ticket could not be created');
    for (const finding of findings()) {
      expect(workflowOf(finding)).toBe('NOTIFIED');
      expect(noteOf(finding)).toContain('Ticket failed: Jira answered 400');
      expect(noteOf(finding)).not.toContain(config.env.JIRA_API_TOKEN ?? 'no token');
    }
  });

  it('scan shows, for each repository, what its provider refuses', async () => {
    const rows = await scan(config, silentLogger);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.failures).toMatchObject([{ provider: 'jira', code: 'jira.invalid', attempts: 1 }]);
    }
    expect(formatScanTable(rows)).toMatch(
      /\n\S+: jira jira\.invalid: Jira answered 400 to POST \S*\/rest\/api\/3\/issue: customfield_10010: Team is required\. \(1 attempt since /,
    );
  });

  it('tries the tickets again at once on the next sync, and names them everywhere', async () => {
    const { summary, exitCode } = await syncOnce(config, silentLogger);
    expect(exitCode).toBe(0);
    expect(summary).toMatchObject({ ticketsCreated: 2, messagesPosted: 0, messagesUpdated: 2 });
    expect(summary.providerFailures).toEqual([]);
    expect(sandbox.jira.issues.size).toBe(2);
    for (const text of blocksText()) expect(text).not.toContain('could not be created');
    for (const finding of findings()) expect(noteOf(finding)).toMatch(/^hubwarden: tracked\. Jira SEC-\d+\./);
  });

  it('still opens the ticket when Slack refuses the message', async () => {
    const [repository] = sandbox.seed.repositories;
    if (!repository) throw new Error('no repository');
    sandbox.aws.securityHub.markRepositoryPassed(repository.arn);
    await syncOnce(config, silentLogger);
    sandbox.slack.inject('chat.update', { error: 'channel_not_found' }, 1);
    sandbox.aws.securityHub.setCompliance(repository.arn, 'FAILED');
    const { summary, exitCode } = await syncOnce(config, silentLogger);
    expect(summary.ticketsReopened).toBe(1);
    expect(summary.providerFailures).toMatchObject([{ provider: 'slack', code: 'slack.channel_not_found' }]);
    expect(exitCode).toBe(1);
  });
});

describe('sync --once when an account denies access', () => {
  let sandbox: Sandbox;
  let config: Config;
  const prefix = uniquePrefix();

  beforeAll(async () => {
    sandbox = await startSandbox({
      seed: { repositories: 1, findingsPerRepository: 2, seed: 5, passingRatio: 0 },
    });
    Object.assign(process.env, sandbox.env);
    config = await loadConfig({ ...sandbox.env, REDIS_URL, QUEUE_PREFIX: prefix, LOG_LEVEL: 'silent' });
  });

  afterAll(async () => {
    await flushPrefix(prefix);
    await sandbox.close();
  });

  it('tries a repository whose account denied access again once access is granted, findings unchanged', async () => {
    const [repository] = sandbox.seed.repositories;
    if (!repository) throw new Error('no repository');
    sandbox.aws.ecr.denyAction(repository.accountId, 'DescribeImages');
    const denied = await syncOnce(config, silentLogger);
    expect(denied.exitCode).toBe(1);
    expect(denied.summary.failures).toBe(1);
    expect(denied.summary.ticketsCreated).toBe(0);
    expect(denied.summary.providerFailures).toMatchObject([
      { repository: repository.arn, provider: 'ecr', code: 'ecr.access_denied' },
    ]);

    sandbox.aws.ecr.allowAction(repository.accountId, 'DescribeImages');
    const granted = await syncOnce(config, silentLogger);
    expect(granted).toMatchObject({ exitCode: 0, summary: { jobs: 1, ticketsCreated: 1, failures: 0 } });
    expect(granted.summary.providerFailures).toEqual([]);
  });
});
