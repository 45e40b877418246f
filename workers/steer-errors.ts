import { RateLimitError, UnrecoverableError, type Job, type Queue } from 'bullmq';
import { isHubwardenError } from '../src/core/errors.js';

/** Delay used when a provider says "slow down" without saying for how long. */
const DEFAULT_RATE_LIMIT_MS = 5_000;

/**
 * Runs a processor and maps its error kind to what BullMQ should do: rate-limited → pause the queue for
 * the provider's delay and put the job back without using an attempt; permanent → fail now with the
 * reason; anything else → retry with backoff.
 */
export const steered =
  <Data, Result>(queue: Queue, process: (job: Job<Data>) => Promise<Result>) =>
  async (job: Job<Data>): Promise<Result> => {
    try {
      return await process(job);
    } catch (error) {
      if (isHubwardenError(error)) {
        if (error.kind === 'rate-limited') {
          await queue.rateLimit(error.retryAfterMs ?? DEFAULT_RATE_LIMIT_MS);
          throw new RateLimitError();
        }
        if (error.kind === 'permanent') throw new UnrecoverableError(`${error.code}: ${error.message}`);
      }
      throw error;
    }
  };
