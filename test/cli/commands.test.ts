import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_SECRETS, startSandbox, type Sandbox } from '../standins/sandbox.js';
import { flushPrefix, REDIS_URL, uniquePrefix } from '../support/redis.js';
import { closedPort } from '../support/closed-port.js';
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
    expect(run.stderr).toContain('PORT must be a whole number, got "eighty"');
    expect(run.stderr).toContain('JIRA_BASE_URL must be an http:// or https:// URL, got "not a url"');
    expect(run.stderr).toContain('SLACK_BOT_TOKEN must be a bot token (xoxb-...)\n');
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

  it('check-config says what it called, where, and why it failed, for STS, Jira and Slack', async () => {
    const port = await closedPort();
    const nowhere = `http://127.0.0.1:${port}`;
    const run = await runCli(['check-config'], {
      ...env(),
      AWS_ENDPOINT_URL_STS: nowhere,
      JIRA_BASE_URL: nowhere,
      SLACK_API_URL: `${nowhere}/api/`,
    });
    expect(run.code).toBe(1);
    const refused = `ECONNREFUSED (connect ECONNREFUSED 127.0.0.1:${port})`;
    const lines = run.stdout.split('\n');
    // each line: what was called, where, why; then the fix after " - "
    const line = (start: string) => lines.find((candidate) => candidate.startsWith(start));
    expect(
      line(`FAIL aws sts: sts GetCallerIdentity in ${sandbox.env['AWS_REGION']} failed: ${refused}`),
    ).toBeDefined();
    expect(line(`FAIL jira: Jira unreachable on GET ${nowhere}/rest/api/3/myself: ${refused}`)).toBeDefined();
    expect(line(`FAIL slack: Slack auth.test at ${nowhere}/api/ request failed: ${refused}`)).toBeDefined();
    for (const secret of secrets()) expect(run.stdout + run.stderr).not.toContain(secret);
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
    // AWS settings, Redis and the owners file only: a scan needs no Jira or Slack setting.
    const awsOnly = Object.fromEntries(
      Object.entries(env()).filter(([name]) => !/^(JIRA|SLACK)_/.test(name)),
    );
    const run = await runCli(['scan', '--json'], { ...awsOnly, LOG_LEVEL: 'warn' });
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

  it('scan shows why an e-mail owner tag outside allowedEmailDomains was not believed', async () => {
    const target = sandbox.seed.repositories.find((repository) => repository.compliance === 'FAILED');
    const repository = target && sandbox.aws.ecr.repositoryByArn(target.arn);
    if (!target || !repository) throw new Error('no failing repository in the sandbox');
    const tags = repository.tags;
    repository.tags = { Owner: 'mallory@evil.example' };
    try {
      const run = await runCli(['scan', '--json'], { ...env(), LOG_LEVEL: 'warn' });
      expect(run.code, run.stderr).toBe(0);
      const row = (
        JSON.parse(run.stdout) as { repository: string; ownerRule: string; ownerDetail: string }[]
      ).find((candidate) => candidate.repository === target.arn);
      expect(row?.ownerRule).not.toBe('email-tag');
      expect(row?.ownerDetail).toContain(
        'tag Owner=mallory@evil.example: e-mail domain evil.example not in allowedEmailDomains',
      );
    } finally {
      repository.tags = tags;
    }
  });

  it('scan prints a table that fits the terminal, then the summary line, with no warning', async () => {
    const run = await runCli(['scan'], { ...env(), LOG_LEVEL: 'warn', COLUMNS: '100' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^REPOSITORY +ACCOUNT +REGION +OWNER +CHOSEN BY +TICKET +RISKS$/);
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(100);
    const failing = sandbox.seed.repositories.filter((repository) => repository.compliance === 'FAILED');
    expect(run.stdout).toMatch(new RegExp(`^${failing.length} repositories; by account/region: `, 'm'));
    expect(run.stdout).toMatch(/by owner: .*risks: floating tags \d+/s);
    expect(lines.filter((line) => /\bSEC-\d+\b/.test(line))).toHaveLength(failing.length);
  });

  it('suppressions prints the audit trail as csv', async () => {
    const run = await runCli(['suppressions', '--format', 'csv'], { ...env(), LOG_LEVEL: 'warn' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.split('\r\n')[0]).toBe(
      'id,status,repository,account,region,owner,ticket,requestedBy,requestedAt,expiresAt,reviewedBy,reviewedAt,endedAt,endReason,justification,restoredAt',
    );
    const usage = await runCli(['suppressions', '--format', 'xml'], env());
    expect(usage.code).toBe(2);
  });
});
