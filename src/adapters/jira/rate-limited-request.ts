import { isHubwardenError } from '../../core/errors.js';
import { systemClock, type Clock, type RateLimit } from '../../shared/token-bucket.js';
import type { JiraRequestFunction, JiraRequestOptions } from './fetch-request.js';

/** Requests per second a Jira site allows this client, and how many may go at once. */
export type JiraRateLimit = RateLimit;

/** Time as the limiter sees it (the shared clock; tests pass a fake one whose `sleep` just moves `now`). */
export type LimiterClock = Clock;

/**
 * Wraps jira-client's request function in a client-side token bucket that waits instead of failing, so
 * a backlog reaches Jira at the site's rate rather than in bursts that come back as 429s. Callers reserve
 * a token first (the balance may go negative), so concurrent callers queue in order without polling. When
 * Jira throttles anyway (another client shares the quota), the bucket is emptied for its Retry-After and
 * the classified error is rethrown unchanged.
 */
export const rateLimitedRequest = (
  request: JiraRequestFunction,
  limit: JiraRateLimit,
  clock: LimiterClock = systemClock,
): JiraRequestFunction => {
  let tokens = limit.burst;
  let updatedAt = clock.now();
  // Jira's Retry-After holds for every caller, including those already asleep on an earlier reservation.
  let notBefore = 0;
  const refill = () => {
    const now = clock.now();
    tokens = Math.min(limit.burst, tokens + ((now - updatedAt) / 1000) * limit.perSecond);
    updatedAt = now;
  };
  return async (options: JiraRequestOptions) => {
    refill();
    tokens -= 1;
    // rounded up so that Jira's own bucket, refilling at the same rate, has the token by then
    if (tokens < 0) await clock.sleep(Math.ceil((-tokens / limit.perSecond) * 1000));
    for (let wait = notBefore - clock.now(); wait > 0; wait = notBefore - clock.now())
      await clock.sleep(wait);
    try {
      return await request(options);
    } catch (error) {
      if (isHubwardenError(error) && error.kind === 'rate-limited') {
        refill();
        const retryAfterMs = error.retryAfterMs ?? 1_000;
        tokens = Math.min(tokens, -(retryAfterMs / 1000) * limit.perSecond);
        notBefore = Math.max(notBefore, clock.now() + retryAfterMs);
      }
      throw error;
    }
  };
};
