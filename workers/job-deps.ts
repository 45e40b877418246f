import type { Job } from 'bullmq';
import type { PipelineDeps } from '../src/core/use-cases/pipeline-deps.js';

/** The pipeline's dependencies with a logger that names the job on every line. */
export const forJob = (deps: PipelineDeps, job: Job): PipelineDeps => ({
  ...deps,
  log: deps.log.child({ jobId: job.id, queue: job.queueName }),
});
