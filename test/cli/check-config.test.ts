import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startJiraStandIn, type JiraStandIn } from '../standins/jira/index.js';
import { REVIEW_CHANNEL, SANDBOX_SECRETS, startSandbox, type Sandbox } from '../standins/sandbox.js';
import { startSlackStandIn, type SlackStandIn } from '../standins/slack/index.js';
import { REDIS_URL, uniquePrefix } from '../support/redis.js';
import { runCli } from '../support/run-cli.js';

const JIRA_EMAIL = 'hubwarden@example.com';
const lineOf = (stdout: string, name: string): string =>
  stdout.split('\n').find((line) => line.startsWith(`OK ${name}:`) || line.startsWith(`FAIL ${name}:`)) ??
  `(no line for ${name})\n${stdout}`;

describe('hubwarden check-config', () => {
  let sandbox: Sandbox;
  let strictJira: JiraStandIn;
  let strictSlack: SlackStandIn;
  const env = () => ({ ...sandbox.env, REDIS_URL, QUEUE_PREFIX: uniquePrefix(), LOG_LEVEL: 'warn' });

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: { repositories: 4, findingsPerRepository: 1, seed: 13 } });
    // A project as real organisations configure them: a required custom field on the create screen, an
    // account without the assign permission, and a workflow whose close transition has another name.
    strictJira = await startJiraStandIn({
      deployment: 'cloud',
      projectKey: 'SEC',
      auth: { email: JIRA_EMAIL, apiToken: SANDBOX_SECRETS.jiraToken },
      users: [
        { accountId: '5b10a2844c20165700ede999', name: 'hubwarden', email: JIRA_EMAIL, displayName: 'bot' },
      ],
      requiredFields: [{ id: 'customfield_10010', name: 'Team' }],
      missingPermissions: ['ASSIGN_ISSUES'],
      transitions: [{ name: 'Resolve', toStatus: 'Resolved', category: 'done' }],
      resolutionScreens: true,
    });
    strictJira.seedIssue({ summary: 'an open task', statusName: 'To Do' });
    strictJira.seedIssue({ summary: 'a finished task', statusName: 'Resolved' });
    // A bot left out of one owner channel, installed without the e-mail scopes.
    strictSlack = await startSlackStandIn({
      tokens: [SANDBOX_SECRETS.slackToken],
      notInChannel: ['C0SECURITY'],
      scopes: [
        'chat:write',
        'channels:read',
        'groups:read',
        'channels:history',
        'groups:history',
        'im:write',
        'im:history',
      ],
    });
  });

  afterAll(async () => {
    await Promise.all([sandbox.close(), strictJira.close(), strictSlack.close()]);
  });

  it('passes in a well configured world, one OK line per check in the documented order', async () => {
    sandbox.jira.seedIssue({ summary: 'open', statusName: 'To Do' });
    sandbox.jira.seedIssue({ summary: 'done', statusName: 'Done' });
    const run = await runCli(['check-config'], env());
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const names = run.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => /^OK ([^:]+):/.exec(line)?.[1] ?? line);
    expect(names).toEqual([
      'configuration',
      'redis',
      'aws sts',
      'security hub',
      `member role ${sandbox.seed.accounts[0]}`,
      'jira',
      'jira project',
      'jira create screen',
      'jira permissions',
      'jira close transitions',
      'jira reopen transition',
      'slack',
      'slack scopes',
      ...names.filter((name) => name.startsWith('slack channel ')),
    ]);
    expect(names).toEqual(
      expect.arrayContaining([`slack channel ${REVIEW_CHANNEL}`, 'slack channel C0SECURITY']),
    );
    // the poller's incremental filter (seeded findings were updated long ago), not a filterless read
    expect(lineOf(run.stdout, 'security hub')).toContain('incremental filter answered (0 findings');
    expect(lineOf(run.stdout, 'jira close transitions')).toMatch(/"Done", "Suppressed" offered on SEC-\d+/);
  });

  it('names each misconfiguration of Jira with its fix, and exits 1', async () => {
    const run = await runCli(['check-config'], { ...env(), JIRA_BASE_URL: strictJira.url });
    expect(run.code).toBe(1);
    expect(lineOf(run.stdout, 'jira project')).toMatch(/^OK jira project: project SEC has issue type "Task"/);
    expect(lineOf(run.stdout, 'jira create screen')).toMatch(
      /^FAIL jira create screen: required fields hubwarden does not fill: customfield_10010 \(Team\) - give them values in JIRA_EXTRA_FIELDS/,
    );
    expect(lineOf(run.stdout, 'jira permissions')).toMatch(
      /^FAIL jira permissions: missing in SEC: ASSIGN_ISSUES \(assign owners\) - grant them/,
    );
    expect(lineOf(run.stdout, 'jira close transitions')).toMatch(
      /^FAIL jira close transitions: no transition "Suppressed" from To Do on SEC-1; offered: .*"Resolve".* - set JIRA_SUPPRESSED_TRANSITION to offered names/,
    );
    expect(lineOf(run.stdout, 'jira reopen transition')).toMatch(
      /^OK jira reopen transition: "To Do" offered on SEC-2/,
    );

    const fixed = await runCli(['check-config'], {
      ...env(),
      JIRA_BASE_URL: strictJira.url,
      JIRA_EXTRA_FIELDS: '{"customfield_10010": {"value": "Security"}}',
      JIRA_SUPPRESSED_TRANSITION: 'Resolve',
    });
    expect(lineOf(fixed.stdout, 'jira create screen')).toMatch(/^OK /);
    expect(lineOf(fixed.stdout, 'jira close transitions')).toMatch(
      /^OK jira close transitions: "Done", "Resolve" offered on SEC-1, with resolution "Done"$/,
    );

    const unknownResolution = await runCli(['check-config'], {
      ...env(),
      JIRA_BASE_URL: strictJira.url,
      JIRA_SUPPRESSED_TRANSITION: 'Resolve',
      JIRA_CLOSE_RESOLUTION: 'Fixed',
    });
    expect(lineOf(unknownResolution.stdout, 'jira close transitions')).toMatch(
      /^FAIL jira close transitions: "Done", "Resolve" ask for a resolution, and JIRA_CLOSE_RESOLUTION "Fixed" is not one they offer \("Done", "Won't Do", .*\) - set JIRA_CLOSE_RESOLUTION/,
    );

    const missing = await runCli(['check-config'], { ...env(), JIRA_PROJECT: 'NOPE' });
    expect(lineOf(missing.stdout, 'jira project')).toMatch(
      /^FAIL jira project: project NOPE does not exist .* - set JIRA_PROJECT/,
    );
    const wrongType = await runCli(['check-config'], { ...env(), JIRA_ISSUE_TYPE: 'Vulnerability' });
    expect(lineOf(wrongType.stdout, 'jira project')).toMatch(
      /^FAIL jira project: project SEC has no issue type "Vulnerability" \(it has "Task", "Bug", "Story"\) - set JIRA_ISSUE_TYPE/,
    );
  });

  it('names the channels the bot is not in and the scopes it lacks', async () => {
    const run = await runCli(['check-config'], { ...env(), SLACK_API_URL: strictSlack.url });
    expect(run.code).toBe(1);
    expect(lineOf(run.stdout, 'slack scopes')).toMatch(
      /^FAIL slack scopes: the token lacks users:read \(resolve e-mail owners\), users:read.email .* - add them to the app/,
    );
    expect(lineOf(run.stdout, 'slack channel C0SECURITY')).toMatch(
      /^FAIL slack channel C0SECURITY: the bot is not a member of #c0security \(owners file\) - invite it: \/invite @hubwarden/,
    );
    expect(lineOf(run.stdout, `slack channel ${REVIEW_CHANNEL}`)).toMatch(/^OK /);
    expect(run.stdout + run.stderr).not.toContain(SANDBOX_SECRETS.slackToken);
  });

  it('fails a member role AWS will not let hubwarden assume, naming the account', async () => {
    const account = sandbox.seed.accounts[0] ?? '';
    sandbox.aws.sts.requireExternalId(`arn:aws:iam::${account}:role/hubwarden-member`, 'external-id-4711');
    const refused = await runCli(['check-config'], env());
    expect(refused.code).toBe(1);
    expect(lineOf(refused.stdout, `member role ${account}`)).toMatch(
      new RegExp(
        `^FAIL member role ${account}: AssumeRole refused in account ${account} - deploy deploy/aws/member-account.yml`,
      ),
    );
    const accepted = await runCli(['check-config'], {
      ...env(),
      MEMBER_ROLE_EXTERNAL_ID: 'external-id-4711',
    });
    expect(lineOf(accepted.stdout, `member role ${account}`)).toBe(
      `OK member role ${account}: assumed arn:aws:iam::${account}:role/hubwarden-member`,
    );
    expect(accepted.stdout + accepted.stderr).not.toContain('external-id-4711');
  });
});
