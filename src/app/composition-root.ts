import type { RedisConnection } from '../adapters/redis/connection.js';
import { createAwsAdapters, type AwsAdapters } from '../adapters/aws/index.js';
import { closeQueues, createQueues, type Queues } from '../adapters/bullmq/queues.js';
import { createFetchRequest, JiraPreflight, JiraTicketTracker } from '../adapters/jira/index.js';
import { budgetedRequest } from '../adapters/jira/rate-limited-request.js';
import { ChannelRateLimitedChat, SLACK_CHANNEL_RATE } from '../adapters/slack/channel-rate-limit.js';
import { redisBudgets } from '../adapters/redis/redis-budget.js';
import { networkReason } from '../shared/error-reason.js';
import { systemClock, type BudgetFactory } from '../shared/token-bucket.js';
import { connectRedis } from '../adapters/redis/connection.js';
import { probeRedis, RedisUnreachableError } from '../adapters/redis/reachability.js';
import { RedisStateStore } from '../adapters/redis/redis-state-store.js';
import { SlackChat } from '../adapters/slack/slack-chat.js';
import { ecr2TagImmutability } from '../core/controls/ecr2-tag-immutability.js';
import type { Logger } from '../core/ports/logger.js';
import type { StateStore } from '../core/ports/state-store.js';
import type { PipelineDeps } from '../core/use-cases/pipeline-deps.js';
import type { Config, ScanConfig } from '../config/load-config.js';
import type { Environment } from '../config/environment.js';
import { dryRunPorts } from './dry-run.js';
import { countUnprocessedFindings, instrumentPort } from './instrument-ports.js';
import { createMetrics, type Metrics } from './metrics.js';
import { watchRedis, type RedisHealth } from './redis-health.js';
import { registerFailureGauges } from './failure-gauges.js';
import { proxyAgentsFor, proxyDispatcherFor, proxySettingsOf } from './proxy-agents.js';
import { registerStateGauges } from './state-gauges.js';
import type { Dispatcher } from 'undici';

const HOUR = 3_600_000;

/**
 * The AWS clients from configuration; endpoints stay the SDK's own business (AWS_ENDPOINT_URL_*).
 * `budgets`: where the Security Hub budgets live (the service shares them through Redis).
 */
const awsAdaptersFor = (env: ScanConfig['env'], budgets?: BudgetFactory): AwsAdapters => {
  // HTTPS_PROXY / NO_PROXY: the SDK's Node handler takes agents that tunnel through the proxy
  const proxyAgents = proxyAgentsFor(proxySettingsOf(env));
  return createAwsAdapters({
    region: env.AWS_REGION,
    ...(env.SECURITYHUB_REGION ? { securityHubRegion: env.SECURITYHUB_REGION } : {}),
    ...(env.MEMBER_ROLE_ARN ? { memberRoleArn: env.MEMBER_ROLE_ARN } : {}),
    ...(env.MEMBER_ROLE_EXTERNAL_ID ? { memberRoleExternalId: env.MEMBER_ROLE_EXTERNAL_ID } : {}),
    timeouts: {
      connectMs: env.AWS_CONNECT_TIMEOUT_SECONDS * 1000,
      requestMs: env.AWS_REQUEST_TIMEOUT_SECONDS * 1000,
    },
    securityHubRates: {
      getFindingsPerSecond: env.SECURITYHUB_GETFINDINGS_PER_SECOND,
      batchUpdatePerSecond: env.SECURITYHUB_BATCHUPDATE_PER_SECOND,
    },
    ...(proxyAgents ? { proxyAgents } : {}),
    ...(budgets ? { budgets } : {}),
  });
};

export interface Service {
  readonly config: Config;
  readonly deps: PipelineDeps;
  readonly redis: RedisConnection;
  /** whether Redis is up; the error listener of everything that shares the connection */
  readonly redisHealth: RedisHealth;
  readonly queues: Queues;
  readonly metrics: Metrics;
  readonly aws: AwsAdapters;
  readonly jira: JiraTicketTracker;
  /** read-only questions for `check-config` */
  readonly jiraPreflight: JiraPreflight;
  readonly slack: SlackChat;
  /** the proxy (HTTPS_PROXY) for Slack's Web API and Socket Mode; `undefined` for direct connections */
  readonly slackDispatcher: Dispatcher | undefined;
  close(): Promise<void>;
}

/** The one place that knows every adapter: builds them from configuration and wires the core. */
export const composeService = (config: Config, log: Logger): Service => {
  const { env } = config;
  const redis = connectRedis(env.REDIS_URL, { cluster: env.REDIS_CLUSTER });
  // Every queue, worker and event stream shares this connection and listens for its close.
  redis.setMaxListeners(100);
  const redisHealth = watchRedis(redis, env.REDIS_URL, log);
  const metrics = createMetrics();
  // Every provider budget is shared by all processes of the deployment (same QUEUE_PREFIX, even in a dry
  // run: the provider's quota is the same), so the configured rates are the deployment's total.
  const budgets = redisBudgets(redis, {
    prefix: env.QUEUE_PREFIX,
    onFallback: (error) =>
      log.warn(
        { reason: networkReason(error) },
        'Redis does not answer: provider budgets are held per process until it is back',
      ),
  });
  const aws = awsAdaptersFor(env, budgets);
  const jiraAuth = env.JIRA_PAT
    ? { pat: env.JIRA_PAT }
    : { email: env.JIRA_EMAIL ?? '', apiToken: env.JIRA_API_TOKEN ?? '' };
  // Node's fetch ignores HTTPS_PROXY: Jira and Slack go through this dispatcher when a proxy is set
  const dispatcher = proxyDispatcherFor(proxySettingsOf(env));
  const jira = new JiraTicketTracker({
    baseUrl: env.JIRA_BASE_URL,
    ...(env.JIRA_SITE_URL ? { siteUrl: env.JIRA_SITE_URL } : {}),
    deployment: env.JIRA_DEPLOYMENT,
    auth: jiraAuth,
    projectKey: env.JIRA_PROJECT,
    issueType: env.JIRA_ISSUE_TYPE,
    ...(env.JIRA_EXTRA_FIELDS ? { extraFields: env.JIRA_EXTRA_FIELDS } : {}),
    closeResolution: env.JIRA_CLOSE_RESOLUTION,
    // Waits for the site's rate instead of bursting into 429s (each of which pauses the repository queue).
    request: budgetedRequest(
      createFetchRequest(dispatcher ? { dispatcher } : {}),
      budgets(`jira:${new URL(env.JIRA_BASE_URL).host}`, {
        perSecond: env.JIRA_REQUESTS_PER_SECOND,
        burst: Math.max(1, Math.ceil(env.JIRA_REQUESTS_PER_SECOND)),
      }),
    ),
  });
  const jiraPreflight = new JiraPreflight({
    baseUrl: env.JIRA_BASE_URL,
    deployment: env.JIRA_DEPLOYMENT,
    auth: jiraAuth,
    projectKey: env.JIRA_PROJECT,
    request: createFetchRequest(dispatcher ? { dispatcher } : {}),
  });
  const slack = new SlackChat({
    token: env.SLACK_BOT_TOKEN,
    apiUrl: env.SLACK_API_URL,
    ...(dispatcher ? { dispatcher } : {}),
  });
  // A dry run keeps its state apart, so the tickets it pretends to open never leak into a real run.
  const prefix = env.HUBWARDEN_DRY_RUN ? `${env.QUEUE_PREFIX}:dry-run` : env.QUEUE_PREFIX;
  const state = new RedisStateStore(redis, prefix);
  const queues = createQueues(redis, prefix);
  for (const queue of Object.values(queues)) queue.on('error', redisHealth.report);
  // Every provider call is counted by service, operation and outcome (incl. 429s) for /metrics.
  const ports = {
    findingsSource: countUnprocessedFindings(
      instrumentPort(aws.findingsSource, 'securityhub', metrics),
      metrics,
    ),
    registry: instrumentPort(aws.repositoryRegistry, 'ecr', metrics),
    tracker: instrumentPort(jira, 'jira', metrics),
    // One budget per channel (Slack allows about one message a second per channel).
    chat: new ChannelRateLimitedChat(
      instrumentPort(slack, 'slack', metrics),
      SLACK_CHANNEL_RATE,
      systemClock,
      budgets,
    ),
  };
  const deps: PipelineDeps = {
    control: ecr2TagImmutability,
    ...(env.HUBWARDEN_DRY_RUN ? dryRunPorts(ports, log) : ports),
    state,
    policy: config.policy,
    settings: {
      jiraDeployment: env.JIRA_DEPLOYMENT,
      transitions: {
        done: env.JIRA_DONE_TRANSITION,
        suppressed: env.JIRA_SUPPRESSED_TRANSITION ?? env.JIRA_DONE_TRANSITION,
        reopen: env.JIRA_REOPEN_TRANSITION,
      },
      configVersion: config.version,
      ownerCacheTtlMs: HOUR,
      riskCacheTtlMs: HOUR,
      reviewChannel: env.SLACK_REVIEW_CHANNEL,
      retryBackoff: {
        baseMs: env.POLL_INTERVAL_SECONDS * 1000,
        capMs: Math.max(env.POLL_INTERVAL_SECONDS, env.RETRY_BACKOFF_MAX_SECONDS) * 1000,
      },
    },
    clock: () => new Date(),
    log,
  };
  registerStateGauges(metrics, queues, state, deps.clock, redisHealth.isUp);
  registerFailureGauges(metrics, state, redisHealth.isUp);
  return {
    config,
    deps,
    redis,
    redisHealth,
    queues,
    metrics,
    aws,
    jira,
    jiraPreflight,
    slack,
    slackDispatcher: dispatcher,
    close: async () => {
      // With Redis gone a QUIT would wait for a reconnection that may never come: drop the socket.
      if (redisHealth.isUp()) {
        await closeQueues(queues);
        await redis.quit().catch(() => undefined);
      } else {
        redis.disconnect();
        await closeQueues(queues).catch(() => undefined);
      }
      aws.destroy();
      await dispatcher?.destroy().catch(() => undefined);
    },
  };
};

/** What `hubwarden scan` reads: AWS, and the state when Redis answers. */
export interface ScanParts {
  readonly aws: AwsAdapters;
  /** `undefined` when Redis does not answer: the scan then knows tickets only from Security Hub's notes */
  readonly state: StateStore | undefined;
  /** where Redis was looked for and why it did not answer (never the URL's password) */
  readonly redisUnreachable: { readonly target: string; readonly reason: string } | undefined;
  close(): void;
}

/**
 * The read-only inventory's parts. Without Redis the inventory still answers (it needs only AWS): the
 * state is then left out rather than waited for.
 */
export const composeScan = async (config: ScanConfig): Promise<ScanParts> => {
  const { env } = config;
  const aws = awsAdaptersFor(env);
  const probe = await probeRedis(env.REDIS_URL);
  const redis = connectRedis(env.REDIS_URL, {
    cluster: env.REDIS_CLUSTER,
    maxRetriesPerRequest: 1,
    lazyConnect: true,
    enableOfflineQueue: false,
  });
  redis.on('error', () => undefined); // a lost connection fails the read, which the scan tolerates
  const state = probe.reachable
    ? await redis.connect().then(
        () => new RedisStateStore(redis, env.QUEUE_PREFIX),
        () => undefined,
      )
    : undefined;
  return {
    aws,
    state,
    redisUnreachable: probe.reachable ? undefined : { target: probe.target, reason: probe.reason },
    close: () => {
      redis.disconnect();
      aws.destroy();
    },
  };
};

/** What `hubwarden suppressions` reads: the state in Redis, which it cannot do without. */
export interface AuditTrailParts {
  readonly state: StateStore;
  close(): void;
}

/**
 * The suppressions report's parts; throws a {@link RedisUnreachableError} (its message is the one line to
 * print) when Redis does not answer.
 */
export const composeAuditTrail = async (config: {
  readonly env: Pick<Environment, 'REDIS_URL' | 'REDIS_CLUSTER' | 'QUEUE_PREFIX'>;
}): Promise<AuditTrailParts> => {
  const { env } = config;
  const probe = await probeRedis(env.REDIS_URL);
  if (!probe.reachable) throw new RedisUnreachableError(probe.target, probe.reason);
  const redis = connectRedis(env.REDIS_URL, { cluster: env.REDIS_CLUSTER, maxRetriesPerRequest: 2 });
  redis.on('error', () => undefined); // a failed read rejects with the reason, which the command prints
  return {
    state: new RedisStateStore(redis, env.QUEUE_PREFIX),
    close: () => redis.disconnect(),
  };
};
