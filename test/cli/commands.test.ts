import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_SECRETS, startSandbox, type Sandbox } from '../standins/sandbox.js';
import { flushPrefix, REDIS_URL, uniquePrefix } from '../support/redis.js';
import { runCli } from '../support/run-cli.js';

describe('the hubwarden binary', () => {
  let sandbox: Sandbox;
  const prefix = uniquePrefix();
  const dryPrefix = uniquePrefix();
  const env = () => ({ ...sandbox.env, REDIS_URL, QUEUE_PREFIX: prefix, LOG_LEVEL: 'debug' });
  const secrets = () => [...Object.values(SANDBOX_SECRETS), sandbox.aws.credentials.secretAccessKey];

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: { repositories: 8, findingsPerRepository: 2, seed: 5 } });
  });

  afterAll(async () => {
    await Promise.all([flushPrefix(prefix), flushPrefix(dryPrefix)]);
    await sandbox.close();
  });

  it('names every bad or missing setting, exits 2, and prints no secret', async () => {
    const run = await runCli(['run'], {
      SLACK_BOT_TOKEN: 'xoxp-not-a-bot-token-secret-4242',
      JIRA_API_TOKEN: 'jira-token-secret-4242',
      JIRA_BASE_URL: 'not a url',
      PORT: 'eighty',
      HUBWARDEN_CONFIG: '/nonexistent/hubwarden.yml',
    });
    expect(run.code).toBe(2);
    for (const setting of [
      'AWS_REGION',
      'JIRA_BASE_URL',
      'JIRA_PROJECT',
      'SLACK_BOT_TOKEN',
      'SLACK_SIGNING_SECRET',
      'SLACK_REVIEW_CHANNEL',
      'PORT',
      'JIRA_EMAIL',
      'HUBWARDEN_CONFIG',
    ]) {
      expect(run.stderr).toContain(setting);
    }
    expect(run.stderr + run.stdout).not.toContain('secret-4242');
  });

  it('check-config checks every connection and fails on a bad Jira token', async () => {
    const good = await runCli(['check-config'], env());
    expect(good.code, good.stdout + good.stderr).toBe(0);
    for (const check of ['redis', 'aws sts', 'security hub', 'jira', 'slack'])
      expect(good.stdout).toMatch(new RegExp(`^OK ${check}: `, 'm'));
    const bad = await runCli(['check-config'], { ...env(), JIRA_API_TOKEN: 'wrong-token-value-9999' });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^FAIL jira: Jira answered 401 .* - check JIRA_EMAIL and JIRA_API_TOKEN/m);
    // checks that depend on the credentials say so once instead of repeating the 401
    expect(bad.stdout).toMatch(/^FAIL jira project: not checked - fix "jira" first$/m);
    expect(bad.stdout).toMatch(/^FAIL jira close transitions: not checked - fix "jira project" first$/m);
    expect(bad.stdout).toMatch(/^OK slack: /m);
    expect(bad.stdout + bad.stderr).not.toContain('wrong-token-value-9999');
  });

  it('dry run reads everything and writes nothing', async () => {
    const run = await runCli(['sync', '--once'], {
      ...env(),
      QUEUE_PREFIX: dryPrefix,
      HUBWARDEN_DRY_RUN: 'true',
    });
    expect(run.code, run.stderr).toBe(0);
    expect(sandbox.jira.issues.size).toBe(0);
    expect(sandbox.slack.messages).toHaveLength(0);
    expect(sandbox.aws.calls['securityhub.BatchUpdateFindings'] ?? 0).toBe(0);
    expect(run.stdout).toContain('dry run: would create ticket');
  });

  it('sync --once opens the tickets, prints a summary, and logs no secret', async () => {
    const failing = sandbox.seed.repositories.filter(
      (repository) => repository.compliance === 'FAILED',
    ).length;
    const run = await runCli(['sync', '--once'], env());
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`tickets created: +${failing}\\b`));
    expect(run.stdout).toMatch(/failures: +0/);
    expect(sandbox.jira.issues.size).toBe(failing);
    const logLines = run.stdout.split('\n').filter((line) => line.startsWith('{'));
    expect(logLines.length).toBeGreaterThan(10);
    for (const secret of secrets()) expect(run.stdout + run.stderr).not.toContain(secret);
    const aboutRepositories = logLines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line['msg'] === 'ticket created');
    expect(aboutRepositories).toHaveLength(failing);
    for (const line of aboutRepositories) {
      expect(line['repositoryArn']).toMatch(/^arn:aws:ecr:/);
      expect(line['jobId']).toBeTruthy();
    }
  });

  it('scan --json lists every failing repository with owner, rule, ticket and risks, read-only', async () => {
    const writesBefore = sandbox.aws.calls['securityhub.BatchUpdateFindings'] ?? 0;
    const run = await runCli(['scan', '--json'], { ...env(), LOG_LEVEL: 'warn' });
    expect(run.code, run.stderr).toBe(0);
    const rows = JSON.parse(run.stdout) as {
      repository: string;
      ownerRule: string;
      ticket?: string;
      risks: unknown[];
    }[];
    const failing = sandbox.seed.repositories.filter((repository) => repository.compliance === 'FAILED');
    expect(rows.map((row) => row.repository).sort()).toEqual(
      failing.map((repository) => repository.arn).sort(),
    );
    for (const row of rows) {
      expect(['tag', 'email-tag', 'account', 'default']).toContain(row.ownerRule);
      expect(row.ticket).toMatch(/^SEC-\d+$/);
    }
    expect(sandbox.aws.calls['securityhub.BatchUpdateFindings'] ?? 0).toBe(writesBefore);
    expect(sandbox.aws.calls['ecr.PutImageTagMutability'] ?? 0).toBe(0);
  });

  it('suppressions prints the audit trail as csv', async () => {
    const run = await runCli(['suppressions', '--format', 'csv'], { ...env(), LOG_LEVEL: 'warn' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.split('\r\n')[0]).toBe(
      'id,status,repository,account,region,owner,ticket,requestedBy,requestedAt,expiresAt,reviewedBy,reviewedAt,endedAt,endReason,justification',
    );
    const usage = await runCli(['suppressions', '--format', 'xml'], env());
    expect(usage.code).toBe(2);
  });
});
