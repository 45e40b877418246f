import { Queue, type JobsOptions } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import type { RepositoryJobData } from './job-data.js';

export const QUEUE_NAMES = ['poll', 'repository', 'remediation', 'suppression'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** Retries: exponential backoff with jitter; provider 429s do not consume attempts (see workers). */
const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 2_000, jitter: 0.5 },
  removeOnComplete: { age: 3_600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3_600 },
};

export type Queues = Readonly<Record<QueueName, Queue>>;

/** `connection` is a single Redis or a Cluster; on a Cluster, `prefix` must carry a `{hash tag}`. */
export const createQueues = (connection: Redis | Cluster, prefix: string): Queues =>
  Object.fromEntries(
    QUEUE_NAMES.map((name) => [
      name,
      new Queue(name, { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS }),
    ]),
  ) as Record<QueueName, Queue>;

export const closeQueues = async (queues: Queues): Promise<void> => {
  await Promise.all(Object.values(queues).map((queue) => queue.close()));
};

/** Job ids may not contain `:`; repository keys and generations are hex digests, so these ids are safe. */
const repositoryJobId = (repositoryKey: string, generation: string): string =>
  `repo-${repositoryKey}-${generation}`;

/**
 * One job per repository change. The id carries the work's generation: the same change queued twice
 * (two polls, two scheduler replicas) is one job; a newer change, a return to an earlier state or a
 * retry after a failure is a new job, serialised by the repository lock.
 */
const ENQUEUE_SLICE = 500;

export const enqueueRepositories = async (
  queues: Queues,
  due: readonly { repositoryKey: string; generation: string }[],
): Promise<string[]> => {
  const ids: string[] = [];
  // In slices: 20,000 jobs built and sent at once would hold them all in memory (and in one Redis call).
  for (let start = 0; start < due.length; start += ENQUEUE_SLICE) {
    const jobs = await queues.repository.addBulk(
      due.slice(start, start + ENQUEUE_SLICE).map(({ repositoryKey, generation }) => ({
        name: 'reconcile',
        data: { repositoryKey } satisfies RepositoryJobData,
        opts: { jobId: repositoryJobId(repositoryKey, generation) },
      })),
    );
    for (const job of jobs) ids.push(job.id ?? '');
  }
  return ids;
};
