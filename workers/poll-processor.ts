import type { Job } from 'bullmq';
import type { PollJobData } from '../src/adapters/bullmq/job-data.js';
import { pollFindings, type PollOptions } from '../src/core/use-cases/poll-findings.js';
import type { PipelineDeps } from '../src/core/use-cases/pipeline-deps.js';
import type { WorkQueue } from '../src/core/ports/work-queue.js';
import { overdueSuppressions } from '../src/core/use-cases/overdue-suppressions.js';
import { forJob } from './job-deps.js';

export interface PollJobResult {
  readonly skipped: boolean;
  readonly mode?: string;
  readonly pages?: number;
  readonly findings?: number;
  readonly repositoriesSeen?: number;
  readonly findingsSkipped?: Readonly<Record<string, number>>;
  readonly failingRepositories?: number;
  readonly byState?: Readonly<Record<string, number>>;
  readonly repositoryJobIds: readonly string[];
}

/** Single-flight across replicas: a poll that finds another one running skips. */
export const pollProcessor =
  (deps: PipelineDeps, work: WorkQueue, options: Omit<PollOptions, 'mode'>) =>
  async (job: Job<PollJobData>): Promise<PollJobResult> => {
    const jobDeps = forJob(deps, job);
    // Renewed while the poll runs; a poll killed mid-way frees it within a minute.
    const lock = { ttlMs: 60_000, waitMs: 0 };
    try {
      return await jobDeps.state.withLock('poll', lock, async () => {
        const result = await pollFindings(
          jobDeps,
          { ...options, mode: job.data.mode ?? 'auto', retryFailed: job.data.retryFailed ?? 'due' },
          (due) => work.enqueueRepositories(due),
        );
        const repositoryJobIds = result.queued;
        // A suppression rebuilt from its note lost its delayed expiry job with Redis: schedule it again.
        for (const suppression of result.restoredSuppressions) {
          if (suppression.status === 'active' || suppression.status === 'pending')
            await work.scheduleSuppressionExpiry(suppression.id, new Date(suppression.expiresAt));
        }
        // A safety net under the delayed expiry jobs: an active suppression past its end is ended now.
        for (const id of await overdueSuppressions(jobDeps)) await work.enqueueSuppressionMirror(id);
        return {
          skipped: false,
          mode: result.mode,
          pages: result.pages,
          findings: result.findings,
          repositoriesSeen: result.repositoriesSeen,
          findingsSkipped: result.skipped,
          byState: result.byState,
          failingRepositories: result.failingRepositories,
          repositoryJobIds,
        };
      });
    } catch (error) {
      if ((error as { code?: string }).code === 'state.lock_busy') {
        jobDeps.log.info({}, 'another poll is running; skipped');
        return { skipped: true, repositoryJobIds: [] };
      }
      throw error;
    }
  };
