import { z } from 'zod';
import { echoOf, settingSentence } from './setting-sentences.js';

/** Names of settings whose values are secrets: never printed, never logged. */
export const SECRET_SETTINGS = [
  'JIRA_API_TOKEN',
  'JIRA_PAT',
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'HUBWARDEN_API_TOKEN',
  'MEMBER_ROLE_EXTERNAL_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  // a proxy URL may carry user:password
  'HTTPS_PROXY',
  'HTTP_PROXY',
  'https_proxy',
  'http_proxy',
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

/** A JSON object given as a string, e.g. `{"customfield_10010": {"value": "High"}}`; the value is never echoed. */
const jsonObject = z.string().transform((text, context) => {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {
    // reported below, without the text
  }
  context.addIssue({
    code: 'custom',
    message: 'must be a JSON object of Jira fields, e.g. {"customfield_10010": {"value": "High"}}',
  });
  return z.NEVER;
});

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
  JIRA_SITE_URL: optional(url),
  JIRA_EXTRA_FIELDS: optional(jsonObject),
  JIRA_EMAIL: optional(z.string().min(3)),
  JIRA_API_TOKEN: optional(z.string().min(1)),
  JIRA_PAT: optional(z.string().min(1)),
  JIRA_DEPLOYMENT: z.enum(['cloud', 'datacenter']).default('cloud'),
  JIRA_PROJECT: z.string().regex(/^[A-Z][A-Z0-9_]+$/, { message: 'must be a Jira project key such as SEC' }),
  JIRA_ISSUE_TYPE: z.string().min(1).default('Task'),
  JIRA_REQUESTS_PER_SECOND: z.coerce.number().positive().max(1000).default(10),
  AWS_CONNECT_TIMEOUT_SECONDS: z.coerce.number().positive().max(300).default(3),
  AWS_REQUEST_TIMEOUT_SECONDS: z.coerce.number().positive().max(900).default(20),
  SECURITYHUB_GETFINDINGS_PER_SECOND: z.coerce.number().positive().max(1000).default(2.85),
  SECURITYHUB_BATCHUPDATE_PER_SECOND: z.coerce.number().positive().max(1000).default(9.5),
  JIRA_DONE_TRANSITION: z.string().min(1).default('Done'),
  JIRA_SUPPRESSED_TRANSITION: optional(z.string().min(1)),
  JIRA_REOPEN_TRANSITION: z.string().min(1).default('To Do'),
  JIRA_CLOSE_RESOLUTION: z.string().min(1).default('Done'),
  SLACK_BOT_TOKEN: z.string().startsWith('xoxb-', { message: 'must be a bot token (xoxb-...)' }),
  // Slack reaches hubwarden one of two ways, chosen by SLACK_APP_TOKEN:
  // - HTTP (unset): Slack posts to /slack/events; SLACK_SIGNING_SECRET is required and verifies each request.
  // - Socket Mode (set, xapp-...): hubwarden opens a WebSocket to Slack with the app-level token; nothing is
  //   served to Slack and SLACK_SIGNING_SECRET is not needed (ignored if set).
  // SLACK_BOT_TOKEN is required in both; the rule across the two is in crossSettingProblems.
  SLACK_SIGNING_SECRET: optional(z.string().min(8)),
  SLACK_APP_TOKEN: optional(
    z
      .string()
      .startsWith('xapp-', { message: 'must be an app-level token (xapp-...) with connections:write' }),
  ),
  SLACK_API_URL: url.default('https://slack.com/api/'),
  SLACK_REVIEW_CHANNEL: z
    .string()
    .regex(/^[CGD][A-Z0-9]+$/, { message: 'must be a Slack channel id such as C0123ABC' }),
  PORT: wholeNumber().min(0).max(65535).default(3000),
  /** set and different from PORT: health and metrics answer only there, PORT serves Slack and /api */
  METRICS_PORT: optional(wholeNumber().min(0).max(65535)),
  POLL_INTERVAL_SECONDS: positiveInt(300),
  RETRY_BACKOFF_MAX_SECONDS: positiveInt(900),
  HUBWARDEN_CONFIG: z.string().min(1).default('./hubwarden.yml'),
  HUBWARDEN_API_TOKEN: optional(z.string().min(16, { message: 'must be at least 16 characters' })),
  HUBWARDEN_DRY_RUN: boolean.default(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Corporate proxy for every provider (AWS, Jira, Slack); the lower-case names win when both are set.
  HTTPS_PROXY: optional(z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// proxy URL' })),
  HTTP_PROXY: optional(z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// proxy URL' })),
  NO_PROXY: optional(z.string()),
});

/** `https_proxy` over `HTTPS_PROXY` (and so on), as curl and undici read them. */
const withProxyNames = (
  env: Readonly<Record<string, string | undefined>>,
): Readonly<Record<string, string | undefined>> => ({
  ...env,
  HTTPS_PROXY: env.https_proxy ?? env.HTTPS_PROXY,
  HTTP_PROXY: env.http_proxy ?? env.HTTP_PROXY,
  NO_PROXY: env.no_proxy ?? env.NO_PROXY,
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
  if (!set('SLACK_APP_TOKEN') && !set('SLACK_SIGNING_SECRET')) {
    problems.push({
      setting: 'SLACK_SIGNING_SECRET',
      problem: 'is required (or SLACK_APP_TOKEN for Socket Mode)',
    });
  }
  const cluster = ['true', '1', 'yes'].includes(env.REDIS_CLUSTER ?? '');
  if (cluster && set('QUEUE_PREFIX') && !/\{[^{}]+\}/.test(env.QUEUE_PREFIX ?? '')) {
    problems.push({
      setting: 'QUEUE_PREFIX',
      problem: 'needs a {hash tag} on a Redis Cluster, e.g. {hubwarden}',
    });
  }
  const datacenter = env.JIRA_DEPLOYMENT === 'datacenter';
  if (set('JIRA_PAT')) {
    if (!set('JIRA_DEPLOYMENT') || env.JIRA_DEPLOYMENT === 'cloud') {
      problems.push({
        setting: 'JIRA_PAT',
        problem:
          'cannot be used with Jira Cloud (JIRA_DEPLOYMENT=cloud, the default): Cloud refuses personal access tokens as bearer tokens. Use JIRA_EMAIL and JIRA_API_TOKEN, or set JIRA_DEPLOYMENT=datacenter',
      });
    }
    return problems;
  }
  if (datacenter) {
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
  const named = withProxyNames(env);
  const parsed = settings.safeParse(named, { error: settingSentence });
  if (parsed.success && crossing.length === 0) return { ok: true, value: parsed.data };
  const problems = (parsed.success ? [] : parsed.error.issues).map((issue) => {
    const setting = String(issue.path[0] ?? '(environment)');
    const value = named[setting];
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
  AWS_CONNECT_TIMEOUT_SECONDS: true,
  AWS_REQUEST_TIMEOUT_SECONDS: true,
  HTTPS_PROXY: true,
  HTTP_PROXY: true,
  NO_PROXY: true,
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
