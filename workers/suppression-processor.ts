import type { Job } from 'bullmq';
import type { SuppressionJobData } from '../src/adapters/bullmq/job-data.js';
import { mirrorSuppression } from '../src/core/use-cases/mirror-suppression.js';
import type { PipelineDeps } from '../src/core/use-cases/pipeline-deps.js';
import type { ReconcileResult } from '../src/core/use-cases/reconcile-repository.js';
import { forJob } from './job-deps.js';

/** Both a new state and the end date come down to the same idempotent mirroring. */
export const suppressionProcessor =
  (deps: PipelineDeps) =>
  (job: Job<SuppressionJobData>): Promise<ReconcileResult | undefined> =>
    mirrorSuppression(forJob(deps, job), job.data.suppressionId);
