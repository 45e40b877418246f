import type { Job } from 'bullmq';
import type { RemediationJobData } from '../src/adapters/bullmq/job-data.js';
import { applyFix, type FixResult } from '../src/core/use-cases/apply-fix.js';
import type { PipelineDeps } from '../src/core/use-cases/pipeline-deps.js';
import { forJob } from './job-deps.js';

export const remediationProcessor =
  (deps: PipelineDeps) =>
  (job: Job<RemediationJobData>): Promise<FixResult> =>
    applyFix(forJob(deps, job), {
      repositoryKey: job.data.repositoryKey,
      actor: job.data.actor,
      finalAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
    });
