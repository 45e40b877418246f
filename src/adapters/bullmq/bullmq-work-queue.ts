import type { WorkQueue } from '../../core/ports/work-queue.js';
import type { RemediationJobData, SuppressionJobData } from './job-data.js';
import { enqueueRepositories, type Queues } from './queues.js';

/** The interactions' slow work as BullMQ jobs. Ids carry no `:`; every handler is idempotent. */
export const bullmqWorkQueue = (queues: Queues, clock: () => Date = () => new Date()): WorkQueue => ({
  enqueueRepositories: (due) => enqueueRepositories(queues, due),
  enqueueFix: async (repositoryKey, actor) => {
    const data: RemediationJobData = { repositoryKey, actor };
    await queues.remediation.add('fix', data, {
      jobId: `fix-${repositoryKey}-${clock().getTime()}`,
      attempts: 5,
    });
  },
  enqueueSuppressionMirror: async (suppressionId) => {
    const data: SuppressionJobData = { suppressionId };
    await queues.suppression.add('mirror', data, { jobId: `mirror-${suppressionId}-${clock().getTime()}` });
  },
  scheduleSuppressionExpiry: async (suppressionId, at) => {
    const data: SuppressionJobData = { suppressionId };
    // Delayed jobs live in Redis: the end date survives restarts. A second schedule is the same job.
    await queues.suppression.add('expire', data, {
      jobId: `expire-${suppressionId}`,
      delay: Math.max(0, at.getTime() - clock().getTime()),
    });
  },
});
