import { z } from 'zod';
import { echoOf, settingSentence } from './setting-sentences.js';

/** Names of settings whose values are secrets: never printed, never logged. */
export const SECRET_SETTINGS = [
  'JIRA_API_TOKEN',
  'JIRA_PAT',
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'HUBWARDEN_API_TOKEN',
  'MEMBER_ROLE_EXTERNAL_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
] as const;

const boolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');
const wholeNumber = () =>
  z.coerce
    .number({ error: (issue) => (issue.code === 'invalid_type' ? 'must be a whole number' : undefined) })
    .int();
const positiveInt = (fallback: number) => wholeNumber().positive().default(fallback);
const url = z.url({ protocol: /^https?$/ });
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

const roleTemplate = z
  .string()
  .regex(/^arn:(\{partition\}|aws[a-z-]*):iam::(\{accountId\}|\d{12}):role\/[\w+=,.@/-]+$/, {
    message: 'must look like arn:{partition}:iam::{accountId}:role/NAME',
  });

const schema = z.object({
  AWS_REGION: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { message: 'must be an AWS region such as eu-west-1' }),
  SECURITYHUB_REGION: optional(
    z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { message: 'must be an AWS region such as eu-west-1' }),
  ),
  MEMBER_ROLE_ARN: optional(roleTemplate),
  MEMBER_ROLE_EXTERNAL_ID: optional(z.string().min(2).max(1224)),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, { message: 'must start with redis:// or rediss://' })
    .default('redis://127.0.0.1:6379'),
  REDIS_CLUSTER: boolean.default(false),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[^:\s]+$/, { message: 'must not contain ":" or spaces' })
    .default('{hubwarden}'),
  JIRA_BASE_URL: url,
  JIRA_EMAIL: optional(z.string().min(3)),
  JIRA_API_TOKEN: optional(z.string().min(1)),
  JIRA_PAT: optional(z.string().min(1)),
  JIRA_DEPLOYMENT: z.enum(['cloud', 'datacenter']).default('cloud'),
  JIRA_PROJECT: z.string().regex(/^[A-Z][A-Z0-9_]+$/, { message: 'must be a Jira project key such as SEC' }),
  JIRA_ISSUE_TYPE: z.string().min(1).default('Task'),
  JIRA_REQUESTS_PER_SECOND: z.coerce.number().positive().max(1000).default(10),
  SECURITYHUB_GETFINDINGS_PER_SECOND: z.coerce.number().positive().max(1000).default(2.85),
  SECURITYHUB_BATCHUPDATE_PER_SECOND: z.coerce.number().positive().max(1000).default(9.5),
  JIRA_DONE_TRANSITION: z.string().min(1).default('Done'),
  JIRA_SUPPRESSED_TRANSITION: optional(z.string().min(1)),
  JIRA_REOPEN_TRANSITION: z.string().min(1).default('To Do'),
  SLACK_BOT_TOKEN: z.string().startsWith('xoxb-', { message: 'must be a bot token (xoxb-...)' }),
  SLACK_SIGNING_SECRET: z.string().min(8),
  SLACK_API_URL: url.default('https://slack.com/api/'),
  SLACK_REVIEW_CHANNEL: z
    .string()
    .regex(/^[CGD][A-Z0-9]+$/, { message: 'must be a Slack channel id such as C0123ABC' }),
  PORT: wholeNumber().min(0).max(65535).default(3000),
  POLL_INTERVAL_SECONDS: positiveInt(300),
  HUBWARDEN_CONFIG: z.string().min(1).default('./hubwarden.yml'),
  HUBWARDEN_API_TOKEN: optional(z.string().min(16, { message: 'must be at least 16 characters' })),
  HUBWARDEN_DRY_RUN: boolean.default(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Environment = z.infer<typeof schema>;

/** Every setting hubwarden reads from the environment (the documentation must list each one). */
export const SETTING_NAMES: readonly string[] = Object.keys(schema.shape);

/**
 * Rules across settings, checked on the raw environment so they are reported together with every
 * other problem (a schema refinement would only run once everything else is valid).
 */
const crossSettingProblems = (env: Readonly<Record<string, string | undefined>>): SettingProblem[] => {
  const set = (name: string) => (env[name] ?? '') !== '';
  const problems: SettingProblem[] = [];
  const cluster = ['true', '1', 'yes'].includes(env.REDIS_CLUSTER ?? '');
  if (cluster && set('QUEUE_PREFIX') && !/\{[^{}]+\}/.test(env.QUEUE_PREFIX ?? '')) {
    problems.push({
      setting: 'QUEUE_PREFIX',
      problem: 'needs a {hash tag} on a Redis Cluster, e.g. {hubwarden}',
    });
  }
  if (set('JIRA_PAT')) return problems;
  if (env.JIRA_DEPLOYMENT === 'datacenter') {
    problems.push({ setting: 'JIRA_PAT', problem: 'is required for Jira Data Center' });
    return problems;
  }
  if (!set('JIRA_EMAIL')) problems.push({ setting: 'JIRA_EMAIL', problem: 'is required (or JIRA_PAT)' });
  if (!set('JIRA_API_TOKEN'))
    problems.push({ setting: 'JIRA_API_TOKEN', problem: 'is required (or JIRA_PAT)' });
  return problems;
};

export interface SettingProblem {
  readonly setting: string;
  readonly problem: string;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; problems: SettingProblem[] };

const isSecret = (setting: string): boolean => (SECRET_SETTINGS as readonly string[]).includes(setting);

/**
 * Validates `env` against `settings`, naming every bad or missing setting at once, each as a sentence
 * that starts with its name (`PORT must be a whole number, got "abc"`); a secret's value is never shown.
 */
const parseWith = <T extends z.ZodType>(
  settings: T,
  env: Readonly<Record<string, string | undefined>>,
  crossing: readonly SettingProblem[],
): Parsed<z.infer<T>> => {
  const parsed = settings.safeParse(env, { error: settingSentence });
  if (parsed.success && crossing.length === 0) return { ok: true, value: parsed.data };
  const problems = (parsed.success ? [] : parsed.error.issues).map((issue) => {
    const setting = String(issue.path[0] ?? '(environment)');
    const value = env[setting];
    if (value === undefined || value === '') return { setting, problem: 'is missing' };
    return { setting, problem: `${issue.message}${echoOf(value, isSecret(setting))}` };
  });
  return { ok: false, problems: dedupe([...problems, ...crossing]) };
};

/** Validates the whole environment (every command that runs or checks the service). */
export const parseEnvironment = (env: Readonly<Record<string, string | undefined>>): Parsed<Environment> =>
  parseWith(schema, env, crossSettingProblems(env));

/**
 * The settings of read-only AWS work (`hubwarden scan`): AWS, the owners file, the optional Redis for
 * known tickets, and logging. Jira and Slack settings are neither needed nor checked.
 */
const scanSchema = schema.pick({
  AWS_REGION: true,
  SECURITYHUB_REGION: true,
  MEMBER_ROLE_ARN: true,
  MEMBER_ROLE_EXTERNAL_ID: true,
  SECURITYHUB_GETFINDINGS_PER_SECOND: true,
  SECURITYHUB_BATCHUPDATE_PER_SECOND: true,
  REDIS_URL: true,
  REDIS_CLUSTER: true,
  QUEUE_PREFIX: true,
  HUBWARDEN_CONFIG: true,
  LOG_LEVEL: true,
});

export type ScanEnvironment = z.infer<typeof scanSchema>;

/** Validates only what `hubwarden scan` reads (see `scanSchema`). */
export const parseScanEnvironment = (
  env: Readonly<Record<string, string | undefined>>,
): Parsed<ScanEnvironment> => {
  const inScope = new Set(Object.keys(scanSchema.shape));
  const crossing = crossSettingProblems(env).filter((problem) => inScope.has(problem.setting));
  return parseWith(scanSchema, env, crossing);
};

const dedupe = (problems: SettingProblem[]): SettingProblem[] => {
  const seen = new Set<string>();
  return problems.filter((problem) => !seen.has(problem.setting) && seen.add(problem.setting));
};
