import type { PollJobData } from './job-data.js';
import type { Queues } from './queues.js';

const SCHEDULER_ID = 'poll';

/**
 * The poll scheduler (one entry however many replicas upsert it) and a full read now (one per minute at
 * most, whatever the number of replicas: the job id carries the minute); the first scheduled poll comes
 * one interval after it.
 */
export const schedulePolls = async (queues: Queues, everyMs: number, reason: string): Promise<void> => {
  const scheduled: PollJobData = { mode: 'auto' };
  await queues.poll.upsertJobScheduler(
    SCHEDULER_ID,
    { every: everyMs, startDate: Date.now() + everyMs },
    { name: 'poll', data: scheduled },
  );
  const full: PollJobData = { mode: 'full' };
  await queues.poll.add('poll', full, { jobId: `${reason}-${Math.floor(Date.now() / 60_000)}` });
};

/** Whether the poll scheduler is still in Redis (a flushed or emptied Redis loses it). */
export const pollSchedulerPresent = async (queues: Queues): Promise<boolean> =>
  Boolean(await queues.poll.getJobScheduler(SCHEDULER_ID));
