import { Job, QueueEvents } from 'bullmq';
import { failingProviders, type FailingProvider } from '../core/failures/provider-failures.js';
import { composeService } from '../app/composition-root.js';
import { pipelineProcessors, startWorkers } from '../app/workers.js';
import type { Config } from '../config/load-config.js';
import type { Logger } from '../core/ports/logger.js';
import type { RepositoryFailures } from '../core/ports/state-store.js';
import type { ReconcileResult } from '../core/use-cases/reconcile-repository.js';
import type { PollJobResult } from '../../workers/poll-processor.js';
import { requireRedis } from './redis-reachable.js';
import { workerOptions } from './run-command.js';

export interface SyncSummary {
  repositoriesSeen: number;
  repositoriesFailing: number;
  jobs: number;
  ticketsCreated: number;
  ticketsUpdated: number;
  ticketsClosed: number;
  ticketsReopened: number;
  messagesPosted: number;
  messagesUpdated: number;
  findingsUpdated: number;
  /** repository jobs that failed for good */
  failures: number;
  /** what is failing for good, per repository and provider, after this run (retried at the next sync) */
  providerFailures: ProviderFailureLine[];
}

export interface ProviderFailureLine extends FailingProvider {
  readonly repository: string;
}

/** One line per repository and provider, oldest streak first. */
const providerFailureLines = (failures: ReadonlyMap<string, RepositoryFailures>): ProviderFailureLine[] =>
  [...failures.values()]
    .flatMap((entry) =>
      failingProviders(entry).map((failure) => ({ repository: entry.repositoryArn, ...failure })),
    )
    .sort((a, b) => a.since.localeCompare(b.since) || a.repository.localeCompare(b.repository));

const emptySummary = (): SyncSummary => ({
  repositoriesSeen: 0,
  repositoriesFailing: 0,
  jobs: 0,
  ticketsCreated: 0,
  ticketsUpdated: 0,
  ticketsClosed: 0,
  ticketsReopened: 0,
  messagesPosted: 0,
  messagesUpdated: 0,
  findingsUpdated: 0,
  failures: 0,
  providerFailures: [],
});

const addResult = (summary: SyncSummary, result: ReconcileResult): void => {
  if (result.failing) summary.repositoriesFailing += 1;
  if (result.ticket === 'created') summary.ticketsCreated += 1;
  if (result.ticket === 'updated') summary.ticketsUpdated += 1;
  if (result.ticket === 'closed') summary.ticketsClosed += 1;
  if (result.ticket === 'reopened') summary.ticketsReopened += 1;
  if (result.message === 'posted') summary.messagesPosted += 1;
  if (result.message === 'updated') summary.messagesUpdated += 1;
  summary.findingsUpdated += result.findingsUpdated;
};

export const formatSummary = (summary: SyncSummary): string =>
  [
    `repositories seen:   ${summary.repositoriesSeen} (${summary.repositoriesFailing} failing among those processed)`,
    `jobs:                ${summary.jobs}`,
    `tickets created:     ${summary.ticketsCreated}`,
    `tickets updated:     ${summary.ticketsUpdated}`,
    `tickets closed:      ${summary.ticketsClosed}`,
    `tickets reopened:    ${summary.ticketsReopened}`,
    `messages posted:     ${summary.messagesPosted}`,
    `messages updated:    ${summary.messagesUpdated}`,
    `findings updated:    ${summary.findingsUpdated}`,
    `failures:            ${summary.failures}`,
    `failing providers:   ${summary.providerFailures.length === 0 ? 'none' : summary.providerFailures.length}`,
    ...summary.providerFailures.map(
      (line) =>
        `  ${line.repository}  ${line.provider}  ${line.code}: ${line.reason} (${line.attempts} attempt${line.attempts === 1 ? '' : 's'} since ${line.since}; next try ${line.retryAt})`,
    ),
  ].join('\n');

/**
 * `hubwarden sync --once`: one full poll through the same queues and workers, waiting for every job it
 * caused; repositories whose work failed for good earlier are tried again at once. Exit 0, or 1 when any
 * job failed for good or any provider still refuses a repository's work.
 */
export const syncOnce = async (
  config: Config,
  log: Logger,
): Promise<{ summary: SyncSummary; exitCode: number }> => {
  await requireRedis(config.env.REDIS_URL);
  const service = composeService(config, log);
  const { env } = config;
  const prefix = env.HUBWARDEN_DRY_RUN ? `${env.QUEUE_PREFIX}:dry-run` : env.QUEUE_PREFIX;
  const options = workerOptions(config);
  const connection = service.redis;
  const events = {
    poll: new QueueEvents('poll', { connection, prefix }),
    repository: new QueueEvents('repository', { connection, prefix }),
  };
  events.poll.on('error', service.redisHealth.report);
  events.repository.on('error', service.redisHealth.report);
  await Promise.all([events.poll.waitUntilReady(), events.repository.waitUntilReady()]);
  const workers = startWorkers(
    connection,
    prefix,
    service.queues,
    pipelineProcessors(service.deps, service.queues, options),
    options,
    service.metrics,
  );
  for (const worker of workers) worker.on('error', service.redisHealth.report);
  const summary = emptySummary();
  try {
    const poll = await service.queues.poll.add('poll', { mode: 'full', retryFailed: 'all' }, { attempts: 3 });
    const polled = (await poll.waitUntilFinished(events.poll)) as PollJobResult;
    if (polled.skipped) throw new Error('another poll is running; try again when it has finished');
    summary.repositoriesSeen = polled.repositoriesSeen ?? 0;
    summary.jobs = polled.repositoryJobIds.length;
    // The workers run the jobs in parallel whatever the order we wait in, so waiting for them in turn
    // costs no time; waiting for all at once would add one 'closing' listener per job to the shared
    // repository Queue (Job.waitUntilFinished does), past Node's limit of ten.
    for (const id of polled.repositoryJobIds) {
      const job = await Job.fromId(service.queues.repository, id);
      if (!job) continue;
      try {
        addResult(summary, (await job.waitUntilFinished(events.repository)) as ReconcileResult);
      } catch (error) {
        summary.failures += 1;
        log.error({ jobId: id, err: error }, 'repository job failed for good');
      }
    }
    summary.providerFailures = providerFailureLines(await service.deps.state.listFailures());
  } finally {
    await Promise.all(workers.map((worker) => worker.close()));
    await Promise.all([events.poll.close(), events.repository.close()]);
    await service.close();
  }
  return {
    summary,
    exitCode: summary.failures > 0 || summary.providerFailures.length > 0 ? 1 : 0,
  };
};
