import { DelayedError, RateLimitError, UnrecoverableError, type Job, type Queue } from 'bullmq';
import { isHubwardenError, type HubwardenError } from '../../core/errors.js';

/** Delay used when a provider says "slow down" without saying for how long. */
const DEFAULT_RATE_LIMIT_MS = 5_000;

/**
 * Slack limits messages per channel: a busy channel must delay its own jobs, not every repository's.
 * Other providers limit the whole client, so the whole queue waits.
 */
const limitsOneJobOnly = (error: HubwardenError): boolean => error.service === 'slack';

/**
 * Runs a processor and maps its error kind to what BullMQ should do: rate-limited → wait for the
 * provider's delay (the whole queue, or just this job for per-channel limits) and put the job back
 * without using an attempt; permanent → fail now with the reason; anything else → retry with backoff.
 */
export const steered =
  <Data, Result>(queue: Queue, process: (job: Job<Data>) => Promise<Result>) =>
  async (job: Job<Data>, token?: string): Promise<Result> => {
    try {
      return await process(job);
    } catch (error) {
      if (isHubwardenError(error)) {
        if (error.kind === 'rate-limited') {
          const delayMs = error.retryAfterMs ?? DEFAULT_RATE_LIMIT_MS;
          if (limitsOneJobOnly(error) && token) {
            await job.moveToDelayed(Date.now() + delayMs, token);
            throw new DelayedError();
          }
          await queue.rateLimit(delayMs);
          throw new RateLimitError();
        }
        if (error.kind === 'permanent') throw new UnrecoverableError(`${error.code}: ${error.message}`);
      }
      throw error;
    }
  };
