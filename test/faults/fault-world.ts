import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { RedisStateStore } from '../../src/adapters/redis/redis-state-store.js';
import { QUEUE_NAMES } from '../../src/adapters/bullmq/queues.js';
import { repositoryKeyOf } from '../../src/core/repository-ref.js';
import type { SeededRepository } from '../fixtures/seed-sandbox.js';
import { REVIEW_CHANNEL, startSandbox, type Sandbox, type SandboxOptions } from '../standins/sandbox.js';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis.js';
import { spawnService, type ServiceProcess } from './service-process.js';

export interface FaultWorldOptions {
  readonly repositories: number;
  readonly seed: number;
  readonly sandbox?: Omit<SandboxOptions, 'seed'>;
  readonly pollIntervalSeconds?: number;
  readonly redis?: { readonly persistent?: boolean };
  /** more settings for the service, e.g. `JIRA_REQUESTS_PER_SECOND` */
  readonly env?: Record<string, string>;
}

/** Where the world stands: what a fault test asserts once the service has settled. */
export interface Verdict {
  readonly failing: number;
  /** ARNs of failing repositories without exactly one ticket labelled for them */
  readonly ticketsNotOne: readonly { arn: string; tickets: number }[];
  /** ARNs whose one ticket is not open */
  readonly ticketsNotOpen: readonly string[];
  /** tickets in Jira in all (any surplus over `failing` is a duplicate, even if since closed) */
  readonly tickets: number;
  /** ARNs of failing repositories without exactly one Slack message naming them */
  readonly messagesNotOne: readonly { arn: string; messages: number }[];
  /** repository messages posted in all (outside the review channel) */
  readonly messages: number;
  /** failing repositories' findings still not NOTIFIED in Security Hub */
  readonly findingsNotNotified: number;
  /** failing repositories with no record, ticket or message in Redis */
  readonly recordsMissing: readonly string[];
  /** jobs that failed for good, per queue */
  readonly failedJobs: Readonly<Record<string, number>>;
}

export interface FaultWorld {
  readonly sandbox: Sandbox;
  readonly redis: PrivateRedis;
  readonly prefix: string;
  /** the service's whole environment */
  readonly env: Record<string, string>;
  readonly failing: readonly SeededRepository[];
  /** starts `hubwarden <args>` (default `run`) as a child process */
  start(args?: readonly string[]): ServiceProcess;
  /** failing repositories with ticket, message and processed inputs recorded in Redis */
  recorded(): Promise<number>;
  /** jobs waiting, active or delayed in the work queues (the poll queue always holds the scheduler's next poll) */
  pendingJobs(): Promise<number>;
  /** resolves once every failing repository is done and no queue holds work; throws with details on timeout */
  waitUntilSettled(timeoutMs: number, service?: ServiceProcess): Promise<void>;
  verdict(): Promise<Verdict>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const workflowOf = (finding: Record<string, unknown>): unknown =>
  (finding['Workflow'] as Record<string, unknown> | undefined)?.['Status'];

/**
 * The sandbox in the test process (it must outlive the service), a private redis-server, and the
 * service as a child process, with the checks every fault test ends with.
 */
export const startFaultWorld = async (options: FaultWorldOptions): Promise<FaultWorld> => {
  const sandbox = await startSandbox({
    ...options.sandbox,
    seed: {
      repositories: options.repositories,
      findingsPerRepository: 1,
      seed: options.seed,
      passingRatio: 0.1,
    },
  });
  const redis = await startPrivateRedis(options.redis);
  const prefix = `{hw-faults-${randomUUID().slice(0, 8)}}`;
  const env: Record<string, string> = {
    ...sandbox.env,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: prefix,
    PORT: '0',
    LOG_LEVEL: 'warn',
    POLL_INTERVAL_SECONDS: String(options.pollIntervalSeconds ?? 5),
    ...options.env,
  };
  const failing = sandbox.seed.repositories.filter((repository) => repository.compliance === 'FAILED');
  const connection: Redis = redis.client();
  connection.on('error', () => undefined);
  const state = new RedisStateStore(connection, prefix);
  const queues = QUEUE_NAMES.map((name) => new Queue(name, { connection, prefix }));
  // a test may stop Redis: its queues' connection errors are expected, not worth a stack trace each
  for (const queue of queues) queue.on('error', () => undefined);
  const workQueues = queues.filter((queue) => queue.name !== 'poll');
  const services: ServiceProcess[] = [];

  const recorded = async () => {
    const records = await Promise.all(failing.map((repo) => state.getRecord(repositoryKeyOf(repo.arn))));
    return records.filter((record) => record?.ticket && record.message && record.processedFingerprint).length;
  };
  const notNotified = () =>
    failing
      .flatMap((repo) => sandbox.aws.securityHub.findingsForResource(repo.arn))
      .filter((finding) => workflowOf(finding) !== 'NOTIFIED').length;
  const pendingJobs = async () => {
    const counts = await Promise.all(
      workQueues.map((queue) => queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized')),
    );
    return counts.reduce((sum, count) => sum + Object.values(count).reduce((a, b) => a + b, 0), 0);
  };

  const verdict = async (): Promise<Verdict> => {
    const issues = [...sandbox.jira.issues.values()];
    const repositoryMessages = sandbox.slack.messages.filter((message) => message.channel !== REVIEW_CHANNEL);
    const ticketsNotOne: { arn: string; tickets: number }[] = [];
    const ticketsNotOpen: string[] = [];
    const messagesNotOne: { arn: string; messages: number }[] = [];
    const recordsMissing: string[] = [];
    for (const repo of failing) {
      const label = `hubwarden-${repositoryKeyOf(repo.arn)}`;
      const labelled = issues.filter((issue) => issue.labels.includes(label));
      if (labelled.length !== 1) ticketsNotOne.push({ arn: repo.arn, tickets: labelled.length });
      else if (labelled[0]?.status.category === 'done') ticketsNotOpen.push(repo.arn);
      // the card shows the ARN as a plain-text element of its own: quoted, it matches this ARN only
      const quoted = JSON.stringify(repo.arn);
      const messages = repositoryMessages.filter((message) =>
        JSON.stringify(message.blocks ?? []).includes(quoted),
      ).length;
      if (messages !== 1) messagesNotOne.push({ arn: repo.arn, messages });
      const record = await state.getRecord(repositoryKeyOf(repo.arn));
      if (!record?.ticket || !record.message) recordsMissing.push(repo.arn);
    }
    const failedJobs: Record<string, number> = {};
    for (const queue of queues) failedJobs[queue.name] = await queue.getFailedCount();
    return {
      failing: failing.length,
      ticketsNotOne,
      ticketsNotOpen,
      tickets: issues.length,
      messagesNotOne,
      messages: repositoryMessages.length,
      findingsNotNotified: notNotified(),
      recordsMissing,
      failedJobs,
    };
  };

  return {
    sandbox,
    redis,
    prefix,
    env,
    failing,
    start: (args = ['run']) => {
      const service = spawnService(args, env);
      services.push(service);
      return service;
    },
    recorded,
    pendingJobs,
    waitUntilSettled: async (timeoutMs, service) => {
      const deadline = Date.now() + timeoutMs;
      let last = '';
      for (;;) {
        const done = await recorded().catch(() => -1);
        const notified = notNotified();
        const pending = await pendingJobs().catch(() => -1);
        if (done === failing.length && notified === 0 && pending === 0) return;
        last = `${done}/${failing.length} repositories recorded, ${notified} findings not NOTIFIED, ${pending} jobs pending`;
        if (service?.done)
          throw new Error(`the service exited before settling: ${last}\n${service.output()}`);
        if (Date.now() > deadline) {
          throw new Error(`not settled after ${timeoutMs} ms: ${last}\n${service?.output() ?? ''}`);
        }
        await sleep(250);
      }
    },
    verdict,
    close: async () => {
      await Promise.all(services.map((service) => service.kill()));
      await Promise.all(queues.map((queue) => queue.close()));
      connection.disconnect();
      await redis.stop();
      await sandbox.close();
    },
  };
};
