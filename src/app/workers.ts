import { Worker, type Job } from 'bullmq';
import type { Queues, QueueName } from '../adapters/bullmq/queues.js';
import type { PipelineDeps } from '../core/use-cases/pipeline-deps.js';
import type { ReconcileResult } from '../core/use-cases/reconcile-repository.js';
import { pollProcessor, type PollJobResult } from '../../workers/poll-processor.js';
import type { FixResult } from '../core/use-cases/apply-fix.js';
import { remediationProcessor } from '../../workers/remediation-processor.js';
import { repositoryProcessor } from '../../workers/repository-processor.js';
import { suppressionProcessor } from '../../workers/suppression-processor.js';
import { steered } from '../adapters/bullmq/steer-errors.js';
import { bullmqWorkQueue } from '../adapters/bullmq/bullmq-work-queue.js';
import type { RedisConnection } from '../adapters/redis/connection.js';
import type { Metrics } from './metrics.js';

export interface WorkerOptions {
  readonly concurrency: number;
  readonly pollOverlapMs: number;
  readonly fullReconcileEveryMs: number;
}

export type Processors = Partial<Record<QueueName, (job: Job) => Promise<unknown>>>;

/** The processors of every queue. */
export const pipelineProcessors = (
  deps: PipelineDeps,
  queues: Queues,
  options: WorkerOptions,
): Processors => ({
  poll: pollProcessor(deps, bullmqWorkQueue(queues), {
    overlapMs: options.pollOverlapMs,
    fullEveryMs: options.fullReconcileEveryMs,
  }),
  repository: repositoryProcessor(deps),
  remediation: remediationProcessor(deps),
  suppression: suppressionProcessor(deps),
});

const recordPoll = (metrics: Metrics, result: PollJobResult) => {
  for (const [reason, count] of Object.entries(result.findingsSkipped ?? {}))
    metrics.findingsSkipped.inc({ reason }, count);
  if (result.mode !== 'full' || !result.byState) return;
  metrics.repositoriesFailing.set(result.failingRepositories ?? 0);
  metrics.findings.reset();
  for (const [state, count] of Object.entries(result.byState)) {
    const [compliance = '', workflow = ''] = state.split('/');
    metrics.findings.set({ compliance, workflow }, count);
  }
};

const recordFix = (metrics: Metrics, result: FixResult) => {
  metrics.fixes.inc({ outcome: result.fix.replace('-', '_') });
  if (result.secondsSinceFirstFailure !== undefined)
    metrics.timeToFix.observe(result.secondsSinceFirstFailure);
};

const recordOutcome = (metrics: Metrics, queue: QueueName, result: unknown) => {
  metrics.jobs.inc({ queue, outcome: 'completed' });
  if (!result) return;
  if (queue === 'poll') recordPoll(metrics, result as PollJobResult);
  if (queue === 'remediation') recordFix(metrics, result as FixResult);
  if (queue !== 'repository' && queue !== 'remediation' && queue !== 'suppression') return;
  const reconciled = result as ReconcileResult;
  if (reconciled.ticket !== 'unchanged' && reconciled.ticket !== 'none' && reconciled.ticket !== 'failed')
    metrics.tickets.inc({ outcome: reconciled.ticket });
  if (
    reconciled.message !== 'unchanged' &&
    reconciled.message !== 'none' &&
    reconciled.message !== 'failed'
  ) {
    metrics.messages.inc({ outcome: reconciled.message });
  }
};

/** One BullMQ worker per queue, each steering errors by kind (retry, slow down, give up). */
export const startWorkers = (
  connection: RedisConnection,
  prefix: string,
  queues: Queues,
  processors: Processors,
  options: WorkerOptions,
  metrics: Metrics,
): Worker[] =>
  (Object.entries(processors) as [QueueName, (job: Job) => Promise<unknown>][]).map(([name, process]) => {
    const worker = new Worker(name, steered(queues[name], process), {
      connection,
      prefix,
      concurrency: name === 'poll' ? 1 : options.concurrency,
      // A stalled job (its worker died) is handed to another worker; the handlers are idempotent.
      maxStalledCount: 3,
    });
    worker.on('completed', (_job, result) => recordOutcome(metrics, name, result));
    worker.on('failed', (job) => {
      const final = !job || job.attemptsMade >= (job.opts.attempts ?? 1) || job.finishedOn !== undefined;
      metrics.jobs.inc({ queue: name, outcome: final ? 'failed' : 'retried' });
    });
    return worker;
  });
