import type { Job } from 'bullmq';
import type { RepositoryJobData } from '../src/adapters/bullmq/job-data.js';
import { reconcileRepository, type ReconcileResult } from '../src/core/use-cases/reconcile-repository.js';
import type { PipelineDeps } from '../src/core/use-cases/pipeline-deps.js';
import { forJob } from './job-deps.js';

export const repositoryProcessor =
  (deps: PipelineDeps) =>
  (job: Job<RepositoryJobData>): Promise<ReconcileResult> =>
    reconcileRepository(forJob(deps, job), job.data.repositoryKey, {
      // no retry follows the last attempt: a provider still failing then is recorded and retried later
      finalAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
    });
