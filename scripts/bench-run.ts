/**
 * One benchmark scenario: a seeded sandbox with the providers' limits on or off, the real service in a
 * child process, a full drain, an idle poll, and concurrent Fix clicks.
 */
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Job, Queue } from 'bullmq';
import { connectRedis } from '../src/adapters/redis/connection.js';
import { RedisStateStore } from '../src/adapters/redis/redis-state-store.js';
import { repositoryKeyOf } from '../src/core/repository-ref.js';
import { SECURITY_HUB_RATE_LIMITS } from '../test/standins/aws/index.js';
import { REVIEW_CHANNEL, SANDBOX_SECRETS, startSandbox, type Sandbox } from '../test/standins/sandbox.js';
import { buildBlockActionsPayload, postInteraction } from '../test/standins/slack/index.js';
import {
  computeBounds,
  diffCounters,
  groupCalls,
  type Bounds,
  type Limits,
  type ServiceName,
} from './bench-bounds.js';
import { startServiceChild, type ServiceChild } from './bench-child.js';

export interface ScenarioOptions {
  readonly repositories: number;
  readonly findingsPerRepository: number;
  readonly accounts: number;
  readonly regions: number;
  readonly channels: number;
  readonly limits: boolean;
  readonly jiraRate: { perSecond: number; burst: number };
  readonly clicks: number;
  readonly idle: boolean;
  readonly redisUrl: string;
  /** give up on the drain after this long */
  readonly timeoutMs: number;
  /** the service's LOG_LEVEL (its JSON logs go to the log file) */
  readonly logLevel: string;
}

export interface ScenarioResult {
  readonly options: ScenarioOptions;
  readonly failing: number;
  readonly findings: number;
  readonly drained: boolean;
  readonly drainSeconds: number;
  readonly ticketsSeconds: number;
  readonly messagesSeconds: number;
  readonly bounds: Bounds;
  readonly calls: Record<ServiceName, number>;
  readonly operations: Record<string, number>;
  readonly throttled: Record<string, number>;
  readonly failedJobs: number;
  readonly missing: number;
  /** tickets beyond one per repository (including any hubwarden later closed as duplicates) */
  readonly duplicateTickets: number;
  /** messages beyond one per repository */
  readonly duplicateMessages: number;
  readonly idleCalls: Record<string, number> | undefined;
  readonly idleCompleted: boolean;
  /** calls between the drain and the queues going quiet (or 60 s) */
  readonly afterDrainCalls: Record<string, number>;
  readonly ackMs: readonly number[];
  readonly ackStatuses: readonly number[];
  readonly peakRssBytes: number;
  readonly logFile: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ACCOUNTS = Array.from({ length: 9 }, (_, index) =>
  String(index + 2)
    .repeat(12)
    .slice(0, 12),
);
const REGIONS = ['us-east-1', 'eu-west-1', 'us-west-2', 'eu-central-1', 'ap-southeast-1'];
const TEAMS = Array.from({ length: 200 }, (_, index) => `team${String(index + 1).padStart(3, '0')}`);
const SLACK_LIMIT = { perSecond: 1, burst: 3 };

const limitsOf = (options: ScenarioOptions): Limits => ({
  getFindings: SECURITY_HUB_RATE_LIMITS['securityhub.GetFindings'] ?? { perSecond: 3, burst: 6 },
  batchUpdateFindings: SECURITY_HUB_RATE_LIMITS['securityhub.BatchUpdateFindings'] ?? {
    perSecond: 10,
    burst: 30,
  },
  jira: options.jiraRate,
  slackPerChannel: SLACK_LIMIT,
});

const counters = (sandbox: Sandbox) => ({
  aws: { ...sandbox.aws.calls },
  jira: { ...sandbox.jira.calls },
  slack: { ...sandbox.slack.calls },
});
type Counters = ReturnType<typeof counters>;
const flatten = (snapshot: Counters): Record<string, number> => ({
  ...snapshot.aws,
  ...Object.fromEntries(Object.entries(snapshot.jira).map(([key, count]) => [`jira ${key}`, count])),
  ...Object.fromEntries(Object.entries(snapshot.slack).map(([key, count]) => [`slack.${key}`, count])),
});

const busyJobs = async (queues: readonly Queue[]): Promise<number> => {
  let busy = 0;
  for (const queue of queues) {
    const counts = await queue.getJobCounts('waiting', 'active', 'prioritized', 'waiting-children');
    busy += Object.values(counts).reduce((sum, count) => sum + count, 0);
    // scheduled polls wait as delayed jobs; repository retries and rate-limit pauses do too
    if (queue.name !== 'poll') busy += (await queue.getJobCounts('delayed')).delayed ?? 0;
  }
  return busy;
};

const waitIdle = async (queues: readonly Queue[], timeoutMs: number): Promise<boolean> => {
  const deadline = Date.now() + timeoutMs;
  let quiet = 0;
  while (Date.now() < deadline) {
    quiet = (await busyJobs(queues)) === 0 ? quiet + 1 : 0;
    if (quiet >= 3) return true;
    await sleep(200);
  }
  return false;
};

export const flushPrefix = async (redisUrl: string, prefix: string) => {
  const redis = connectRedis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
};

/** The stand-ins, seeded with the scenario's backlog and its limits on or off. */
export const seededSandbox = (options: ScenarioOptions): Promise<Sandbox> =>
  startSandbox({
    seed: {
      repositories: options.repositories,
      findingsPerRepository: options.findingsPerRepository,
      accounts: ACCOUNTS.slice(0, options.accounts),
      regions: REGIONS.slice(0, options.regions),
      teams: TEAMS.slice(0, options.channels),
      seed: 2026,
    },
    aws: { rateLimits: options.limits },
    slackRateLimit: options.limits,
    ...(options.limits ? { jiraRateLimit: options.jiraRate } : {}),
  });

/** hubwarden's own client-side limits: the providers' with the limits on, out of the way with them off. */
export const clientLimitsEnv = (options: ScenarioOptions): Record<string, string> =>
  options.limits
    ? { JIRA_REQUESTS_PER_SECOND: String(options.jiraRate.perSecond) }
    : {
        JIRA_REQUESTS_PER_SECOND: '1000',
        SECURITYHUB_GETFINDINGS_PER_SECOND: '1000',
        SECURITYHUB_BATCHUPDATE_PER_SECOND: '1000',
      };

/**
 * The environment of a benchmarked service process: the sandbox's settings, this run's Redis and prefix,
 * and no polls of its own (the benchmark triggers them).
 */
export const benchServiceEnv = (
  sandbox: { readonly env: Record<string, string> },
  options: ScenarioOptions,
  prefix: string,
): Record<string, string> => ({
  ...sandbox.env,
  REDIS_URL: options.redisUrl,
  QUEUE_PREFIX: prefix,
  PORT: '0',
  // the benchmark triggers the idle poll itself; the scheduler must not add polls of its own
  POLL_INTERVAL_SECONDS: '86400',
  LOG_LEVEL: options.logLevel,
  // hubwarden's own client-side limits follow the providers': with the limits on, the site's Jira
  // rate and AWS's defaults; with them off, out of the way (the run measures memory, not rates)
  ...clientLimitsEnv(options),
});

export const runScenario = async (
  options: ScenarioOptions,
  say: (line: string) => void,
): Promise<ScenarioResult> => {
  const sandbox = await seededSandbox(options);
  const prefix = `{hw-bench-${randomUUID().slice(0, 8)}}`;
  const logFile = join(tmpdir(), `hubwarden-bench-${prefix.slice(1, -1)}.log`);
  const redis = connectRedis(options.redisUrl);
  const state = new RedisStateStore(redis, prefix);
  const queues = ['poll', 'repository', 'remediation'].map(
    (name) => new Queue(name, { connection: redis, prefix }),
  );
  const failing = sandbox.seed.repositories.filter((repository) => repository.compliance === 'FAILED');
  const labels = new Set(failing.map((repository) => `hubwarden-${repositoryKeyOf(repository.arn)}`));
  let child: ServiceChild | undefined;
  try {
    say(
      `seeded ${failing.length} failing repositories, ${sandbox.seed.findings} findings; limits ${options.limits ? 'on' : 'off'}; service log ${logFile}`,
    );
    child = await startServiceChild(benchServiceEnv(sandbox, options, prefix), logFile);
    const started = performance.now();
    const at = () => (performance.now() - started) / 1000;
    let ticketsSeconds = Number.NaN;
    let messagesSeconds = Number.NaN;
    let lastReport = 0;
    const ticketLabels = () => {
      const covered = new Set<string>();
      for (const issue of sandbox.jira.issues.values()) {
        for (const label of issue.labels) if (labels.has(label)) covered.add(label);
      }
      return covered.size;
    };
    // a message count can be inflated by a repost, so the records confirm it before the clock stops
    const allMessaged = async () => {
      const stored = await Promise.all(
        failing.map((repository) => state.getRecord(repositoryKeyOf(repository.arn))),
      );
      return stored.every((record) => record?.message !== undefined);
    };
    while (at() * 1000 < options.timeoutMs) {
      child.peakRss();
      const ticketed = ticketLabels();
      const messages = sandbox.slack.messages.filter((message) => message.channel !== REVIEW_CHANNEL).length;
      if (Number.isNaN(ticketsSeconds) && ticketed >= labels.size) ticketsSeconds = at();
      if (Number.isNaN(messagesSeconds) && messages >= failing.length) {
        const when = at();
        if (await allMessaged()) messagesSeconds = when;
      }
      if (!Number.isNaN(ticketsSeconds) && !Number.isNaN(messagesSeconds)) break;
      if (at() - lastReport >= 15) {
        lastReport = at();
        say(`  ${at().toFixed(0)} s: ${ticketed} tickets, ${messages} messages of ${failing.length}`);
      }
      await sleep(100);
    }
    const drainSeconds = Math.max(ticketsSeconds, messagesSeconds);
    const drained = Number.isFinite(drainSeconds);
    say(drained ? `  drained in ${drainSeconds.toFixed(1)} s` : '  not drained before the timeout');
    const afterDrain = counters(sandbox);
    // what the service still does once every repository is served (e.g. a second full poll)
    const settled = await waitIdle(queues, 60_000);
    child.peakRss();
    const afterDrainSettled = diffCounters(flatten(afterDrain), flatten(counters(sandbox)));
    say(
      `  after the drain (${settled ? 'quiet' : 'still busy after 60 s'}): ${JSON.stringify(afterDrainSettled)}`,
    );

    const records = await Promise.all(
      failing.map((repository) => state.getRecord(repositoryKeyOf(repository.arn))),
    );
    const missing = records.filter((record) => !record?.ticket || !record.message).length;
    const failedJobs = (await queues[1]?.getJobCounts('failed'))?.failed ?? 0;
    const managed = [...sandbox.jira.issues.values()].filter((issue) =>
      issue.labels.some((label) => labels.has(label)),
    ).length;
    const duplicateTickets = managed - ticketLabels();
    const duplicateMessages =
      sandbox.slack.messages.filter((message) => message.channel !== REVIEW_CHANNEL).length - failing.length;
    const messagesPerChannel = new Map<string, number>();
    for (const message of sandbox.slack.messages) {
      if (message.channel === REVIEW_CHANNEL) continue;
      messagesPerChannel.set(message.channel, (messagesPerChannel.get(message.channel) ?? 0) + 1);
    }
    const bounds = computeBounds(
      {
        repositories: sandbox.seed.repositories,
        findings: sandbox.seed.findings,
        accounts: sandbox.seed.accounts,
        messagesPerChannel,
      },
      limitsOf(options),
    );

    let idleCalls: Record<string, number> | undefined;
    let idleCompleted = false;
    if (options.idle) {
      const before = flatten(counters(sandbox));
      const poll = await queues[0]?.add('poll', { mode: 'incremental' });
      const deadline = Date.now() + 120_000;
      while (poll?.id && Date.now() < deadline) {
        const status = await Job.fromId(queues[0] as Queue, poll.id).then((job) => job?.getState());
        idleCompleted = status === 'completed';
        if (idleCompleted) break;
        await sleep(100);
      }
      await waitIdle(queues, 30_000);
      idleCalls = diffCounters(before, flatten(counters(sandbox)));
      say(
        `  idle poll${idleCompleted ? '' : ' (NOT completed within 120 s: an earlier poll still held the lock)'}: ${JSON.stringify(idleCalls)}`,
      );
    }

    const ackMs: number[] = [];
    const ackStatuses: number[] = [];
    if (options.clicks > 0) {
      const events = `http://127.0.0.1:${child.port}/slack/events`;
      const targets = records.filter((record) => record?.message).slice(0, options.clicks);
      const payloads = targets.map((record) =>
        buildBlockActionsPayload({
          actionId: 'hubwarden.fix',
          value: record?.repository.key ?? '',
          userId: record?.owner?.slackUsers[0] ?? 'U0SECLEAD',
          channelId: record?.message?.channel ?? '',
          messageTs: record?.message?.ts ?? '',
          triggerId: sandbox.slack.issueTriggerId(),
        }),
      );
      await Promise.all(
        payloads.map(async (payload) => {
          const sent = performance.now();
          const answer = await postInteraction(events, SANDBOX_SECRETS.signingSecret, payload);
          ackMs.push(performance.now() - sent);
          ackStatuses.push(answer.status);
        }),
      );
      await waitIdle(queues, 60_000);
      say(`  ${ackMs.length} Fix clicks acknowledged`);
    }

    const { peakRssBytes } = await child.stop();
    child = undefined;
    return {
      options,
      failing: failing.length,
      findings: sandbox.seed.findings,
      drained,
      drainSeconds,
      ticketsSeconds,
      messagesSeconds,
      bounds,
      calls: groupCalls(afterDrain),
      operations: flatten(afterDrain),
      throttled: {
        ...sandbox.aws.throttled,
        ...Object.fromEntries(Object.entries(sandbox.jira.throttled).map(([key, n]) => [`jira ${key}`, n])),
        ...Object.fromEntries(Object.entries(sandbox.slack.throttled).map(([key, n]) => [`slack.${key}`, n])),
      },
      failedJobs,
      missing,
      duplicateTickets,
      duplicateMessages,
      idleCalls,
      idleCompleted,
      afterDrainCalls: afterDrainSettled,
      ackMs,
      ackStatuses,
      peakRssBytes,
      logFile,
    };
  } finally {
    if (child) await child.stop().catch(() => undefined);
    await Promise.all(queues.map((queue) => queue.close()));
    redis.disconnect();
    await flushPrefix(options.redisUrl, prefix);
    await sandbox.close();
  }
};
