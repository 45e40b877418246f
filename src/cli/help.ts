import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One command-line option of a command, as `node:util` parseArgs takes it, with its help line. */
export interface OptionHelp {
  readonly type: 'string' | 'boolean';
  /** e.g. `all|api|worker|scheduler` for a string option */
  readonly value?: string;
  readonly help: string;
}

export interface CommandHelp {
  readonly name: string;
  /** the one-line form, e.g. `scan [--json]` */
  readonly synopsis: string;
  readonly summary: string;
  readonly details: readonly string[];
  readonly options: Readonly<Record<string, OptionHelp>>;
  /** the settings the command cannot start without */
  readonly needs: readonly string[];
  /** settings it reads when set */
  readonly reads: readonly string[];
}

const SERVICE_NEEDS = [
  'AWS_REGION (and AWS credentials from the SDK default chain)',
  'JIRA_BASE_URL, JIRA_PROJECT',
  'JIRA_EMAIL and JIRA_API_TOKEN (Jira Cloud), or JIRA_PAT',
  'SLACK_BOT_TOKEN, SLACK_REVIEW_CHANNEL, and SLACK_SIGNING_SECRET (HTTP) or SLACK_APP_TOKEN (Socket Mode)',
  'the owners file (HUBWARDEN_CONFIG, default ./hubwarden.yml)',
];
const SERVICE_READS = [
  'REDIS_URL',
  'QUEUE_PREFIX',
  'LOG_LEVEL',
  'HUBWARDEN_DRY_RUN',
  'HTTPS_PROXY and NO_PROXY',
  'and the rest of README "Configuration"',
];

export const COMMANDS: readonly CommandHelp[] = [
  {
    name: 'run',
    synopsis: 'run [--role all|api|worker|scheduler]',
    summary: 'the service: HTTP server, BullMQ workers, poll scheduler',
    details: [
      'Serves /slack/events, /healthz, /readyz, /metrics and /api/*, runs the workers and schedules polls.',
      'SIGTERM/SIGINT: stops taking work, finishes or hands back in-flight jobs, exits 0 within 30 s.',
    ],
    options: {
      role: {
        type: 'string',
        value: 'all|api|worker|scheduler',
        help: 'which part to run (default all); the roles scale separately',
      },
    },
    needs: SERVICE_NEEDS,
    reads: ['PORT', 'METRICS_PORT', 'POLL_INTERVAL_SECONDS', 'HUBWARDEN_API_TOKEN', ...SERVICE_READS],
  },
  {
    name: 'sync',
    synopsis: 'sync --once',
    summary: 'one full poll through the queues; waits for every job it caused',
    details: [
      'Prints repositories seen, tickets created/updated/closed/reopened, messages posted and failures.',
      'Exit 0, or 1 if any job failed for good.',
    ],
    options: { once: { type: 'boolean', help: 'required: run one cycle and exit' } },
    needs: SERVICE_NEEDS,
    reads: SERVICE_READS,
  },
  {
    name: 'scan',
    synopsis: 'scan [--json]',
    summary: 'read-only inventory of repositories with an active failed ECR.2 finding',
    details: [
      'A table of each repository: account and region, owner and the rule that chose it, the ticket if',
      'known, the pre-fix risks; then a summary line. Writes nothing anywhere, and needs no Jira or',
      'Slack setting.',
    ],
    options: {
      json: { type: 'boolean', help: 'print JSON (one object per repository) instead of the table' },
    },
    needs: [
      'AWS_REGION (and AWS credentials with Security Hub and ECR read access)',
      'the owners file (HUBWARDEN_CONFIG, default ./hubwarden.yml)',
    ],
    reads: [
      'SECURITYHUB_REGION',
      'MEMBER_ROLE_ARN',
      'MEMBER_ROLE_EXTERNAL_ID',
      'AWS_CONNECT_TIMEOUT_SECONDS',
      'AWS_REQUEST_TIMEOUT_SECONDS',
      'HTTPS_PROXY and NO_PROXY',
      'REDIS_URL and QUEUE_PREFIX (optional: known tickets)',
      'LOG_LEVEL',
    ],
  },
  {
    name: 'suppressions',
    synopsis: 'suppressions [--format table|json|csv] [--status active|pending|revoked|expired|all]',
    summary: 'the suppression audit trail for security review',
    details: ['Read from Redis. CSV cells are protected against formula injection.'],
    options: {
      format: { type: 'string', value: 'table|json|csv', help: 'output format (default table)' },
      status: {
        type: 'string',
        value: 'active|pending|revoked|expired|all',
        help: 'which suppressions (default all)',
      },
    },
    needs: SERVICE_NEEDS,
    reads: ['REDIS_URL', 'REDIS_CLUSTER', 'QUEUE_PREFIX'],
  },
  {
    name: 'check-config',
    synopsis: 'check-config',
    summary: 'validate the configuration and every connection',
    details: [
      'One line per check: configuration, Redis, STS caller identity, Security Hub, Jira auth, Slack auth.test.',
      'Exit 1 if any fails.',
    ],
    options: {},
    needs: SERVICE_NEEDS,
    reads: SERVICE_READS,
  },
];

export const commandHelp = (name: string): CommandHelp | undefined =>
  COMMANDS.find((command) => command.name === name);

const column = (rows: readonly (readonly [string, string])[]): string[] => {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}   ${right}`);
};

/** `hubwarden --help`: every command in one line each. */
export const usage = (): string =>
  [
    'usage: hubwarden <command> [options]',
    '',
    'commands:',
    ...column(COMMANDS.map((command) => [command.name, command.summary])),
    '',
    'options:',
    ...column([
      ['-h, --help', 'show this help; `hubwarden <command> --help` shows a command’s options and settings'],
      ['-v, --version', 'print the version'],
    ]),
    '',
    'Settings come from the environment; README.md "Configuration" lists each one and its default.',
    '',
  ].join('\n');

/** `hubwarden <command> --help`: synopsis, what it does, its options, the settings it needs. */
export const formatCommandHelp = (command: CommandHelp): string =>
  [
    `usage: hubwarden ${command.synopsis}`,
    '',
    `${command.summary[0]?.toUpperCase()}${command.summary.slice(1)}.`,
    ...command.details,
    '',
    'options:',
    ...column([
      ...Object.entries(command.options).map(([name, option]): [string, string] => [
        `--${name}${option.value ? ` ${option.value}` : ''}`,
        option.help,
      ]),
      ['-h, --help', 'show this help'],
    ]),
    '',
    'settings it needs (environment):',
    ...command.needs.map((setting) => `  ${setting}`),
    'settings it reads when set:',
    `  ${command.reads.join(', ')}`,
    '',
  ].join('\n');

/** The version in the package.json next to the sources or the build (dist/ is one level deeper). */
export const packageVersion = (): string => {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 5; depth += 1) {
    try {
      const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === 'hubwarden' && manifest.version) return manifest.version;
    } catch {
      // no package.json at this level: look one level up
    }
    directory = dirname(directory);
  }
  return 'unknown';
};
