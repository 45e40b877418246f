import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bullmqWorkQueue } from '../../../src/adapters/bullmq/bullmq-work-queue.js';
import { pollSchedulerPresent, schedulePolls } from '../../../src/adapters/bullmq/poll-schedule.js';
import { closeQueues, createQueues, type Queues } from '../../../src/adapters/bullmq/queues.js';
import { flushPrefix, REDIS_URL, uniquePrefix } from '../../support/redis.js';

describe('the BullMQ work queue adapter', () => {
  let redis: Redis;
  let prefix: string;
  let queues: Queues;

  beforeEach(() => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    prefix = uniquePrefix();
    queues = createQueues(redis, prefix);
  });

  afterEach(async () => {
    await closeQueues(queues);
    redis.disconnect();
    await flushPrefix(prefix);
  });

  it("queues a poll's repositories through the port: one job per change, the same change once", async () => {
    const work = bullmqWorkQueue(queues);
    const due = [
      { repositoryKey: 'aaa', generation: 'g1' },
      { repositoryKey: 'bbb', generation: 'g1' },
    ];
    expect(await work.enqueueRepositories(due)).toEqual(['repo-aaa-g1', 'repo-bbb-g1']);
    // a second poll (or a second scheduler replica) with the same changes adds nothing
    expect(await work.enqueueRepositories(due)).toEqual(['repo-aaa-g1', 'repo-bbb-g1']);
    await work.enqueueRepositories([{ repositoryKey: 'aaa', generation: 'g2' }]);
    const jobs = await queues.repository.getJobs(['waiting']);
    expect(jobs.map((job) => job.id).sort()).toEqual(['repo-aaa-g1', 'repo-aaa-g2', 'repo-bbb-g1']);
    expect(jobs.map((job) => job.data)).toContainEqual({ repositoryKey: 'aaa' });
  });

  it('schedules the polls once however often asked, and tells when the scheduler is gone', async () => {
    expect(await pollSchedulerPresent(queues)).toBe(false);
    await schedulePolls(queues, 60_000, 'startup');
    await schedulePolls(queues, 60_000, 'startup');
    expect(await pollSchedulerPresent(queues)).toBe(true);
    expect(await queues.poll.getJobSchedulersCount()).toBe(1);
    // the full read now: one per minute whatever the number of replicas
    const fullReads = (await queues.poll.getJobs(['waiting'])).filter((job) => job.data.mode === 'full');
    expect(fullReads.length).toBeLessThanOrEqual(2);
    expect(fullReads.length).toBeGreaterThanOrEqual(1);
    await queues.poll.removeJobScheduler('poll');
    expect(await pollSchedulerPresent(queues)).toBe(false);
  });

  it('carries only what the processors read: the repository and who asked, or the suppression', async () => {
    const at = new Date('2026-12-04T12:00:00Z');
    const work = bullmqWorkQueue(queues, () => at);
    await work.enqueueFix('aaa', 'U0OWNER');
    await work.enqueueSuppressionMirror('s-1');
    await work.scheduleSuppressionExpiry('s-1', new Date(at.getTime() + 60_000));
    const [fix] = await queues.remediation.getJobs(['waiting']);
    expect({ name: fix?.name, data: fix?.data }).toEqual({
      name: 'fix',
      data: { repositoryKey: 'aaa', actor: 'U0OWNER' },
    });
    const suppressionJobs = await queues.suppression.getJobs(['waiting', 'delayed']);
    expect(
      suppressionJobs
        .map((job) => ({ name: job.name, data: job.data }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    ).toEqual([
      { name: 'expire', data: { suppressionId: 's-1' } },
      { name: 'mirror', data: { suppressionId: 's-1' } },
    ]);
  });
});
