import { Worker, type Job } from 'bullmq';
import type { Queues, QueueName } from '../adapters/bullmq/queues.js';
import type { PipelineDeps } from '../core/use-cases/pipeline-deps.js';
import type { ReconcileResult } from '../core/use-cases/reconcile-repository.js';
import { pollProcessor } from '../../workers/poll-processor.js';
import { remediationProcessor } from '../../workers/remediation-processor.js';
import { repositoryProcessor } from '../../workers/repository-processor.js';
import { suppressionProcessor } from '../../workers/suppression-processor.js';
import { steered } from '../../workers/steer-errors.js';
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
  poll: pollProcessor(deps, queues, {
    overlapMs: options.pollOverlapMs,
    fullEveryMs: options.fullReconcileEveryMs,
  }),
  repository: repositoryProcessor(deps),
  remediation: remediationProcessor(deps),
  suppression: suppressionProcessor(deps),
});

const recordOutcome = (metrics: Metrics, queue: QueueName, result: unknown) => {
  metrics.jobs.inc({ queue, outcome: 'completed' });
  if (queue !== 'repository' || !result) return;
  const reconciled = result as ReconcileResult;
  if (reconciled.ticket !== 'unchanged' && reconciled.ticket !== 'none')
    metrics.tickets.inc({ outcome: reconciled.ticket });
  if (reconciled.message !== 'unchanged' && reconciled.message !== 'none') {
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
