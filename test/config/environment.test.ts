import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnvironment, parseScanEnvironment, SECRET_SETTINGS } from '../../src/config/environment.js';
import { ConfigError, loadConfig, loadScanConfig } from '../../src/config/load-config.js';

/** Distinctive fake secrets: none of them may ever appear in a problem or an error message. */
const SECRETS = {
  JIRA_API_TOKEN: 'FAKESECRET-jira-token-7c1d',
  JIRA_PAT: 'FAKESECRET-jira-pat-91ab',
  SLACK_BOT_TOKEN: 'xoxb-FAKESECRET-bot-5e2f',
  SLACK_SIGNING_SECRET: 'FAKESECRET-signing-0a9b',
  HUBWARDEN_API_TOKEN: 'FAKESECRET-api-token-3344',
  MEMBER_ROLE_EXTERNAL_ID: 'FAKESECRET-external-id',
} as const;

const VALID = {
  AWS_REGION: 'eu-west-1',
  JIRA_BASE_URL: 'https://acme.atlassian.net',
  JIRA_EMAIL: 'bot@acme.example',
  JIRA_API_TOKEN: SECRETS.JIRA_API_TOKEN,
  JIRA_PROJECT: 'SEC',
  SLACK_BOT_TOKEN: SECRETS.SLACK_BOT_TOKEN,
  SLACK_SIGNING_SECRET: SECRETS.SLACK_SIGNING_SECRET,
  SLACK_REVIEW_CHANNEL: 'C0REVIEW',
};

const problemsOf = (env: Record<string, string | undefined>) => {
  const parsed = parseEnvironment(env);
  if (parsed.ok) throw new Error('expected problems');
  return parsed.problems;
};

const settingsOf = (env: Record<string, string | undefined>) =>
  problemsOf(env)
    .map((problem) => problem.setting)
    .sort();

const expectNoSecret = (text: string) => {
  expect(text).not.toMatch(/FAKESECRET/);
  for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
};

describe('parseEnvironment', () => {
  it('gives every AWS call connection and request timeouts, 3 s and 20 s unless told', () => {
    const parsed = parseEnvironment(VALID);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    expect(parsed.value).toMatchObject({ AWS_CONNECT_TIMEOUT_SECONDS: 3, AWS_REQUEST_TIMEOUT_SECONDS: 20 });
    const tuned = parseEnvironment({
      ...VALID,
      AWS_CONNECT_TIMEOUT_SECONDS: '1.5',
      AWS_REQUEST_TIMEOUT_SECONDS: '45',
    });
    expect(tuned).toMatchObject({
      ok: true,
      value: { AWS_CONNECT_TIMEOUT_SECONDS: 1.5, AWS_REQUEST_TIMEOUT_SECONDS: 45 },
    });
    expect(
      settingsOf({ ...VALID, AWS_CONNECT_TIMEOUT_SECONDS: '0', AWS_REQUEST_TIMEOUT_SECONDS: 'never' }),
    ).toEqual(['AWS_CONNECT_TIMEOUT_SECONDS', 'AWS_REQUEST_TIMEOUT_SECONDS']);
  });

  it('applies the documented defaults', () => {
    const parsed = parseEnvironment(VALID);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    expect(parsed.value).toMatchObject({
      REDIS_URL: 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: '{hubwarden}',
      JIRA_DEPLOYMENT: 'cloud',
      JIRA_ISSUE_TYPE: 'Task',
      JIRA_DONE_TRANSITION: 'Done',
      JIRA_REOPEN_TRANSITION: 'To Do',
      SLACK_API_URL: 'https://slack.com/api/',
      PORT: 3000,
      POLL_INTERVAL_SECONDS: 300,
      HUBWARDEN_CONFIG: './hubwarden.yml',
      HUBWARDEN_DRY_RUN: false,
      LOG_LEVEL: 'info',
    });
    expect(parsed.value.SECURITYHUB_REGION).toBeUndefined();
    expect(parsed.value.JIRA_SUPPRESSED_TRANSITION).toBeUndefined();
    expect(parsed.value.HUBWARDEN_API_TOKEN).toBeUndefined();
  });

  it('reads booleans, numbers and empty optional settings as operators write them', () => {
    const parsed = parseEnvironment({
      ...VALID,
      HUBWARDEN_DRY_RUN: 'yes',
      PORT: '0',
      POLL_INTERVAL_SECONDS: '60',
      MEMBER_ROLE_ARN: '',
      SECURITYHUB_REGION: '',
    });
    expect(parsed.ok && parsed.value).toMatchObject({
      HUBWARDEN_DRY_RUN: true,
      PORT: 0,
      POLL_INTERVAL_SECONDS: 60,
      MEMBER_ROLE_ARN: undefined,
    });
  });

  it('names the required settings that are missing', () => {
    expect(settingsOf({ JIRA_EMAIL: 'bot@acme.example', JIRA_API_TOKEN: SECRETS.JIRA_API_TOKEN })).toEqual(
      [
        'AWS_REGION',
        'JIRA_BASE_URL',
        'JIRA_PROJECT',
        'SLACK_BOT_TOKEN',
        'SLACK_REVIEW_CHANNEL',
        'SLACK_SIGNING_SECRET',
      ].sort(),
    );
    expect(problemsOf({ ...VALID, AWS_REGION: '' })).toEqual([
      { setting: 'AWS_REGION', problem: 'is missing' },
    ]);
  });

  it('names the missing Jira credentials together with the other missing settings', () => {
    expect(settingsOf({})).toEqual(
      [
        'AWS_REGION',
        'JIRA_API_TOKEN',
        'JIRA_BASE_URL',
        'JIRA_EMAIL',
        'JIRA_PROJECT',
        'SLACK_BOT_TOKEN',
        'SLACK_REVIEW_CHANNEL',
        'SLACK_SIGNING_SECRET',
      ].sort(),
    );
  });

  it('names every bad setting at once, each once', () => {
    const problems = problemsOf({
      ...VALID,
      AWS_REGION: 'Europe',
      SECURITYHUB_REGION: 'nowhere',
      REDIS_URL: 'http://redis',
      QUEUE_PREFIX: 'a:b',
      JIRA_BASE_URL: 'ftp://acme',
      JIRA_DEPLOYMENT: 'server',
      JIRA_PROJECT: 'sec',
      SLACK_REVIEW_CHANNEL: '#security',
      PORT: '70000',
      POLL_INTERVAL_SECONDS: '0',
      LOG_LEVEL: 'loud',
      MEMBER_ROLE_ARN: 'arn:aws:iam::role/x',
    });
    expect(problems.map((problem) => problem.setting).sort()).toEqual(
      [
        'AWS_REGION',
        'SECURITYHUB_REGION',
        'REDIS_URL',
        'QUEUE_PREFIX',
        'JIRA_BASE_URL',
        'JIRA_DEPLOYMENT',
        'JIRA_PROJECT',
        'SLACK_REVIEW_CHANNEL',
        'PORT',
        'POLL_INTERVAL_SECONDS',
        'LOG_LEVEL',
        'MEMBER_ROLE_ARN',
      ].sort(),
    );
    expect(new Set(problems.map((problem) => problem.setting)).size).toBe(problems.length);
    expect(problems.every((problem) => problem.problem.length > 0)).toBe(true);
  });

  it('says what each bad setting must be, as a sentence, and what it got', () => {
    const problems = problemsOf({
      ...VALID,
      PORT: 'abc',
      POLL_INTERVAL_SECONDS: '1.5',
      JIRA_REQUESTS_PER_SECOND: '0',
      JIRA_DEPLOYMENT: 'server',
      JIRA_BASE_URL: 'ftp://acme',
      LOG_LEVEL: 'loud',
      REDIS_URL: 'http://:hunter2@redis:6379',
      SECURITYHUB_REGION: 'nowhere',
    });
    const byName = Object.fromEntries(problems.map((problem) => [problem.setting, problem.problem]));
    expect(byName).toEqual({
      PORT: 'must be a whole number, got "abc"',
      POLL_INTERVAL_SECONDS: 'must be a whole number, got "1.5"',
      JIRA_REQUESTS_PER_SECOND: 'must be greater than 0, got "0"',
      JIRA_DEPLOYMENT: 'must be one of cloud, datacenter, got "server"',
      JIRA_BASE_URL: 'must be an http:// or https:// URL, got "ftp://acme"',
      LOG_LEVEL: 'must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
      REDIS_URL: 'must start with redis:// or rediss://, got "http://:***@redis:6379"',
      SECURITYHUB_REGION: 'must be an AWS region such as eu-west-1, got "nowhere"',
    });
    expect(problemsOf({ ...VALID, PORT: '70000' })).toEqual([
      { setting: 'PORT', problem: 'must be 65535 or less, got "70000"' },
    ]);
    expect(problemsOf({ ...VALID, SLACK_SIGNING_SECRET: 'FAKE1' })).toEqual([
      { setting: 'SLACK_SIGNING_SECRET', problem: 'must be at least 8 characters long' },
    ]);
  });

  it('Cloud takes basic auth and refuses a PAT with a clear sentence; Data Center needs JIRA_PAT', () => {
    const { JIRA_EMAIL: _email, JIRA_API_TOKEN: _token, ...withoutCloudAuth } = VALID;
    for (const deployment of [{}, { JIRA_DEPLOYMENT: 'cloud' }]) {
      const problems = problemsOf({ ...withoutCloudAuth, ...deployment, JIRA_PAT: SECRETS.JIRA_PAT });
      expect(problems).toHaveLength(1);
      expect(problems[0]?.setting).toBe('JIRA_PAT');
      expect(problems[0]?.problem).toMatch(/cannot be used with Jira Cloud.*JIRA_EMAIL and JIRA_API_TOKEN/);
      expectNoSecret(JSON.stringify(problems));
    }
    expect(
      problemsOf(withoutCloudAuth)
        .map((problem) => problem.setting)
        .sort(),
    ).toEqual(['JIRA_API_TOKEN', 'JIRA_EMAIL']);
    expect(problemsOf({ ...VALID, JIRA_DEPLOYMENT: 'datacenter' })).toEqual([
      { setting: 'JIRA_PAT', problem: 'is required for Jira Data Center' },
    ]);
    expect(parseEnvironment({ ...VALID, JIRA_DEPLOYMENT: 'datacenter', JIRA_PAT: SECRETS.JIRA_PAT }).ok).toBe(
      true,
    );
  });

  it('never echoes a secret value in its problems, valid or not', () => {
    const bad = {
      ...VALID,
      AWS_REGION: undefined,
      SLACK_BOT_TOKEN: 'xoxp-FAKESECRET-user-token',
      SLACK_SIGNING_SECRET: 'FAKE1',
      HUBWARDEN_API_TOKEN: 'FAKESECRET-x',
      MEMBER_ROLE_EXTERNAL_ID: 'F',
      JIRA_PAT: SECRETS.JIRA_PAT,
      JIRA_API_TOKEN: SECRETS.JIRA_API_TOKEN,
    };
    const problems = problemsOf(bad);
    expect(problems.map((problem) => problem.setting)).toEqual(
      expect.arrayContaining([
        'SLACK_BOT_TOKEN',
        'SLACK_SIGNING_SECRET',
        'HUBWARDEN_API_TOKEN',
        'MEMBER_ROLE_EXTERNAL_ID',
      ]),
    );
    const text = JSON.stringify(problems);
    expectNoSecret(text);
    expect(text).not.toContain('FAKE1');
  });

  it('keeps the Jira site URL apart from the API base, and reads JIRA_EXTRA_FIELDS as a JSON object', () => {
    const scoped = parseEnvironment({
      ...VALID,
      JIRA_BASE_URL: 'https://api.atlassian.com/ex/jira/0b2c4e1a-cloud-id',
      JIRA_SITE_URL: 'https://acme.atlassian.net',
      JIRA_EXTRA_FIELDS: '{"customfield_10010": {"value": "High"}, "components": [{"name": "ECR"}]}',
    });
    if (!scoped.ok) throw new Error(JSON.stringify(scoped.problems));
    expect(scoped.value.JIRA_SITE_URL).toBe('https://acme.atlassian.net');
    expect(scoped.value.JIRA_EXTRA_FIELDS).toEqual({
      customfield_10010: { value: 'High' },
      components: [{ name: 'ECR' }],
    });
    expect(scoped.value.JIRA_CLOSE_RESOLUTION).toBe('Done');
    for (const bad of ['{"a": ', '[1, 2]', '"text"', 'null']) {
      const problems = problemsOf({ ...VALID, JIRA_EXTRA_FIELDS: bad });
      expect(problems).toEqual([
        { setting: 'JIRA_EXTRA_FIELDS', problem: expect.stringMatching(/must be a JSON object/) },
      ]);
    }
    expect(settingsOf({ ...VALID, JIRA_SITE_URL: 'acme.atlassian.net' })).toEqual(['JIRA_SITE_URL']);
  });

  it('needs the signing secret over HTTP and an app-level token in Socket Mode, not both', () => {
    const { SLACK_SIGNING_SECRET: _secret, ...withoutSecret } = VALID;
    expect(problemsOf(withoutSecret)).toEqual([
      { setting: 'SLACK_SIGNING_SECRET', problem: 'is required (or SLACK_APP_TOKEN for Socket Mode)' },
    ]);
    const socket = parseEnvironment({ ...withoutSecret, SLACK_APP_TOKEN: 'xapp-1-A0FAKESECRET-app' });
    if (!socket.ok) throw new Error(JSON.stringify(socket.problems));
    expect(socket.value.SLACK_APP_TOKEN).toBe('xapp-1-A0FAKESECRET-app');
    expect(socket.value.SLACK_SIGNING_SECRET).toBeUndefined();
    // a bot token in its place is named, not echoed
    const problems = problemsOf({ ...withoutSecret, SLACK_APP_TOKEN: 'xoxb-FAKESECRET-bot-5e2f' });
    expect(problems).toEqual([
      { setting: 'SLACK_APP_TOKEN', problem: 'must be an app-level token (xapp-...) with connections:write' },
    ]);
    expect(SECRET_SETTINGS).toContain('SLACK_APP_TOKEN');
  });

  it('reads the proxy settings, lower-case names first, and never echoes a proxy password', () => {
    const parsed = parseEnvironment({
      ...VALID,
      HTTPS_PROXY: 'http://upper:3128',
      https_proxy: 'http://hub:FAKESECRET-proxy@lower:3128',
      NO_PROXY: 'localhost,.internal',
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    expect(parsed.value).toMatchObject({
      HTTPS_PROXY: 'http://hub:FAKESECRET-proxy@lower:3128',
      NO_PROXY: 'localhost,.internal',
    });
    expect(SECRET_SETTINGS).toEqual(expect.arrayContaining(['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY']));
    const problems = problemsOf({ ...VALID, http_proxy: 'socks5://hub:FAKESECRET-proxy@socks:1080' });
    expect(problems).toEqual([
      { setting: 'HTTP_PROXY', problem: 'must be an http:// or https:// proxy URL' },
    ]);
    expectNoSecret(JSON.stringify(problems));
  });

  it('needs a {hash tag} in QUEUE_PREFIX on a Redis Cluster', () => {
    expect(problemsOf({ ...VALID, REDIS_CLUSTER: 'true', QUEUE_PREFIX: 'hubwarden' })).toEqual([
      { setting: 'QUEUE_PREFIX', problem: 'needs a {hash tag} on a Redis Cluster, e.g. {hubwarden}' },
    ]);
    expect(parseEnvironment({ ...VALID, REDIS_CLUSTER: 'true', QUEUE_PREFIX: '{hw-prod}' }).ok).toBe(true);
    expect(parseEnvironment({ ...VALID, REDIS_CLUSTER: 'true' }).ok).toBe(true);
  });

  it('checks only AWS settings (and the owners file path) for read-only scans', () => {
    expect(parseScanEnvironment({ AWS_REGION: 'eu-west-1' })).toMatchObject({
      ok: true,
      value: {
        AWS_REGION: 'eu-west-1',
        REDIS_URL: 'redis://127.0.0.1:6379',
        HUBWARDEN_CONFIG: './hubwarden.yml',
      },
    });
    const scan = parseScanEnvironment({
      JIRA_DEPLOYMENT: 'datacenter',
      PORT: 'abc',
      REDIS_CLUSTER: 'true',
      QUEUE_PREFIX: 'flat',
    });
    expect(scan.ok ? [] : scan.problems.map((problem) => problem.setting).sort()).toEqual([
      'AWS_REGION',
      'QUEUE_PREFIX',
    ]);
  });

  it('marks every credential setting as secret', () => {
    expect(SECRET_SETTINGS).toEqual(expect.arrayContaining(Object.keys(SECRETS)));
  });
});

describe('loadConfig', () => {
  let directory: string;
  let ownersPath: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'hw-config-'));
    ownersPath = join(directory, 'hubwarden.yml');
    await writeFile(
      ownersPath,
      'defaultOwner:\n  slackChannel: C0SECURITY\nsecurityReviewers: [U0SECLEAD]\n',
    );
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('loads a valid configuration and versions what changes decisions', async () => {
    const config = await loadConfig({ ...VALID, HUBWARDEN_CONFIG: ownersPath });
    expect(config.policy.defaultOwner.slackChannel).toBe('C0SECURITY');
    const again = await loadConfig({ ...VALID, HUBWARDEN_CONFIG: ownersPath });
    expect(again.version).toBe(config.version);
    const moved = await loadConfig({
      ...VALID,
      HUBWARDEN_CONFIG: ownersPath,
      JIRA_DONE_TRANSITION: 'Closed',
    });
    expect(moved.version).not.toBe(config.version);
    const unrelated = await loadConfig({ ...VALID, HUBWARDEN_CONFIG: ownersPath, LOG_LEVEL: 'debug' });
    expect(unrelated.version).toBe(config.version);
  });

  it('throws one ConfigError naming environment and owners-file problems, with no secret in its message', async () => {
    const missing = join(directory, 'nope.yml');
    const error = await loadConfig({
      ...VALID,
      JIRA_PROJECT: undefined,
      SLACK_BOT_TOKEN: 'xoxp-FAKESECRET-user-token',
      HUBWARDEN_API_TOKEN: 'FAKESECRET-x',
      HUBWARDEN_CONFIG: missing,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect(configError.problems.map((problem) => problem.setting)).toEqual(
      expect.arrayContaining(['JIRA_PROJECT', 'SLACK_BOT_TOKEN', 'HUBWARDEN_API_TOKEN', 'HUBWARDEN_CONFIG']),
    );
    expect(configError.message).toContain(`cannot read owners file ${missing}`);
    expect(configError.message).toContain('JIRA_PROJECT is missing');
    expectNoSecret(configError.message);
    expectNoSecret(JSON.stringify(configError.problems));
  });

  it('loads a scan configuration from AWS settings and the owners file alone', async () => {
    const config = await loadScanConfig({ AWS_REGION: 'eu-west-1', HUBWARDEN_CONFIG: ownersPath });
    expect(config.env.AWS_REGION).toBe('eu-west-1');
    expect(config.policy.defaultOwner.slackChannel).toBe('C0SECURITY');
    const error = (await loadScanConfig({ HUBWARDEN_CONFIG: join(directory, 'nope.yml') }).catch(
      (caught: unknown) => caught,
    )) as ConfigError;
    expect(error.problems.map((problem) => problem.setting)).toEqual(['AWS_REGION', 'HUBWARDEN_CONFIG']);
  });

  it('names problems inside the owners file by their path', async () => {
    const broken = join(directory, 'broken.yml');
    await writeFile(broken, 'defaultOwner:\n  slackChannel: general\nsecurityReviewers: [U0SECLEAD]\n');
    const error = (await loadConfig({ ...VALID, HUBWARDEN_CONFIG: broken }).catch(
      (caught: unknown) => caught,
    )) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('HUBWARDEN_CONFIG defaultOwner.slackChannel must be a Slack id');
  });
});
