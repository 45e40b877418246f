import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_TEAMS, seedSandbox, type SeedOptions, type SeedResult } from '../fixtures/seed-sandbox.js';
import { startAwsStandIn, type AwsStandIn, type AwsStandInOptions } from './aws/index.js';
import { startJiraStandIn, type JiraRateLimit, type JiraStandIn } from './jira/index.js';
import { startSlackStandIn, type SlackStandIn } from './slack/index.js';

/**
 * The whole outside world on 127.0.0.1: Security Hub, ECR and STS, Jira Cloud and Slack stand-ins,
 * seeded with findings, plus an owners file and the environment that points hubwarden at them.
 * The demo, the integration tests and the benchmark all start from here.
 */
export interface Sandbox {
  readonly aws: AwsStandIn;
  readonly jira: JiraStandIn;
  readonly slack: SlackStandIn;
  readonly seed: SeedResult;
  readonly ownersFile: string;
  /** environment for hubwarden (without REDIS_URL / QUEUE_PREFIX, which the caller chooses) */
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

export const SANDBOX_SECRETS = {
  jiraToken: 'jira-sandbox-token-0123456789',
  slackToken: 'xoxb-sandbox-bot-token-0123456789',
  signingSecret: 'sandbox-signing-secret-0123456789abcdef',
  appToken: 'xapp-1-A0HUBWARDEN-sandbox-app-token-0123456789',
  apiToken: 'sandbox-api-token-0123456789',
} as const;

export const REVIEW_CHANNEL = 'C0SECREVIEW';
export const SECURITY_REVIEWERS = ['U0SECLEAD', 'U0SECOPS'];
const JIRA_EMAIL = 'hubwarden@example.com';

/** One Jira user and one Slack channel and person per team, ids derived from the team's name. */
export const teamIds = (team: string) => {
  const upper = team.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return {
    accountId: `5b10a2844c2016${upper.padEnd(10, '0').slice(0, 10)}`,
    channel: `C0${upper}`,
    user: `U0${upper}`,
  };
};

/** People whose e-mail addresses appear as owner tags; some exist in Jira and Slack, one does not. */
export const SANDBOX_PEOPLE = [
  { email: 'alice.martin@example.com', accountId: '5b10a2844c20165700ede0a1', slackId: 'U0ALICE' },
  { email: 'bob.chen@example.com', accountId: '5b10a2844c20165700ede0b2', slackId: 'U0BOB' },
  { email: 'carol.diaz@example.com', accountId: '5b10a2844c20165700ede0c3', slackId: 'U0CAROL' },
  { email: 'dan.okafor@example.com', accountId: '5b10a2844c20165700ede0d4', slackId: 'U0DAN' },
  { email: 'erin.novak@example.com', accountId: '5b10a2844c20165700ede0e5', slackId: 'U0ERIN' },
];

export const ownersYaml = (
  teams: readonly string[],
  accounts: readonly string[],
  requireApproval = false,
): string => {
  const lines = ['ownerTags: [Owner, Team]', 'owners:'];
  for (const team of teams) {
    const ids = teamIds(team);
    lines.push(
      `  ${team}:`,
      `    jiraAccountId: ${ids.accountId}`,
      `    slackChannel: ${ids.channel}`,
      `    slackUsers: [${ids.user}]`,
    );
  }
  lines.push('accounts:');
  if (accounts[0] && teams[0]) lines.push(`  "${accounts[0]}": ${teams[0]}`);
  lines.push(
    'defaultOwner:',
    '  jiraAccountId: 5b10a2844c20165700ede000',
    '  slackChannel: C0SECURITY',
    '  slackUsers: [U0SECLEAD]',
    `securityReviewers: [${SECURITY_REVIEWERS.join(', ')}]`,
    'allowedEmailDomains: [example.com]',
    'suppression:',
    '  minJustificationLength: 20',
    '  maxDays: 90',
    `  requireApproval: ${requireApproval}`,
  );
  return `${lines.join('\n')}\n`;
};

export interface SandboxOptions {
  readonly seed: SeedOptions;
  readonly aws?: AwsStandInOptions;
  readonly jiraSearchLagMs?: number;
  readonly requireApproval?: boolean;
  readonly slackRateLimit?: boolean;
  /** Jira Cloud-like limit on every request; off unless given */
  readonly jiraRateLimit?: JiraRateLimit;
  /** how Slack reaches hubwarden: `POST /slack/events` (default) or Socket Mode (SLACK_APP_TOKEN, no secret) */
  readonly slackTransport?: 'http' | 'socket';
}

export const startSandbox = async (options: SandboxOptions): Promise<Sandbox> => {
  const aws = await startAwsStandIn({ region: 'us-east-1', ...options.aws });
  const seed = seedSandbox(aws, options.seed);
  const teams = options.seed.teams ?? DEFAULT_TEAMS;
  const jira = await startJiraStandIn({
    deployment: 'cloud',
    projectKey: 'SEC',
    auth: { email: JIRA_EMAIL, apiToken: SANDBOX_SECRETS.jiraToken },
    searchLagMs: options.jiraSearchLagMs ?? 0,
    ...(options.jiraRateLimit ? { rateLimit: options.jiraRateLimit } : {}),
    users: [
      {
        accountId: '5b10a2844c20165700ede999',
        name: 'hubwarden',
        email: JIRA_EMAIL,
        displayName: 'hubwarden bot',
      },
      {
        accountId: '5b10a2844c20165700ede000',
        name: 'secops',
        email: 'secops@example.com',
        displayName: 'Security',
      },
      ...teams.map((team) => ({
        accountId: teamIds(team).accountId,
        name: team,
        email: `${team}@example.com`,
        displayName: `Team ${team}`,
      })),
      ...SANDBOX_PEOPLE.map((person) => ({
        accountId: person.accountId,
        name: person.email.split('@')[0] ?? person.email,
        email: person.email,
        displayName: person.email,
      })),
    ],
    transitions: [{ name: 'Suppressed', toStatus: "Won't Do", category: 'done' }],
  });
  const slack = await startSlackStandIn({
    tokens: [SANDBOX_SECRETS.slackToken],
    appTokens: [SANDBOX_SECRETS.appToken],
    users: SANDBOX_PEOPLE.map((person) => ({ id: person.slackId, email: person.email })),
    ...(options.slackRateLimit ? { rateLimit: { perSecond: 1, burst: 3 } } : {}),
  });
  const directory = await mkdtemp(join(tmpdir(), 'hubwarden-sandbox-'));
  const ownersFile = join(directory, 'hubwarden.yml');
  await writeFile(ownersFile, ownersYaml(teams, seed.accounts, options.requireApproval));
  const env: Record<string, string> = {
    ...aws.env(),
    MEMBER_ROLE_ARN: 'arn:{partition}:iam::{accountId}:role/hubwarden-member',
    JIRA_BASE_URL: jira.url,
    JIRA_EMAIL,
    JIRA_API_TOKEN: SANDBOX_SECRETS.jiraToken,
    JIRA_PROJECT: 'SEC',
    JIRA_SUPPRESSED_TRANSITION: 'Suppressed',
    SLACK_BOT_TOKEN: SANDBOX_SECRETS.slackToken,
    ...(options.slackTransport === 'socket'
      ? { SLACK_APP_TOKEN: SANDBOX_SECRETS.appToken }
      : { SLACK_SIGNING_SECRET: SANDBOX_SECRETS.signingSecret }),
    SLACK_API_URL: slack.url,
    SLACK_REVIEW_CHANNEL: REVIEW_CHANNEL,
    HUBWARDEN_CONFIG: ownersFile,
    HUBWARDEN_API_TOKEN: SANDBOX_SECRETS.apiToken,
    POLL_INTERVAL_SECONDS: '30',
  };
  return {
    aws,
    jira,
    slack,
    seed,
    ownersFile,
    env,
    close: async () => {
      await Promise.all([aws.close(), jira.close(), slack.close()]);
    },
  };
};
