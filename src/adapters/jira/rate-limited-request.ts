import { isHubwardenError } from '../../core/errors.js';
import {
  TokenBucket,
  systemClock,
  type Clock,
  type RateBudget,
  type RateLimit,
} from '../../shared/token-bucket.js';
import type { JiraRequestFunction, JiraRequestOptions } from './fetch-request.js';

/** Requests per second a Jira site allows this client, and how many may go at once. */
export type JiraRateLimit = RateLimit;

/** Time as the limiter sees it (the shared clock; tests pass a fake one whose `sleep` just moves `now`). */
export type LimiterClock = Clock;

/**
 * Wraps jira-client's request function in the site's request budget, which waits instead of failing, so
 * a backlog reaches Jira at the site's rate rather than in bursts that come back as 429s. When Jira
 * throttles anyway (another client shares the quota), the budget is paused for its Retry-After (for every
 * process that shares it) and the classified error is rethrown unchanged.
 */
export const budgetedRequest =
  (request: JiraRequestFunction, budget: RateBudget): JiraRequestFunction =>
  async (options: JiraRequestOptions) => {
    await budget.take();
    try {
      return await request(options);
    } catch (error) {
      if (isHubwardenError(error) && error.kind === 'rate-limited') {
        await budget.pauseFor(error.retryAfterMs ?? 1_000);
      }
      throw error;
    }
  };

/** `budgetedRequest` with a budget held in this process. */
export const rateLimitedRequest = (
  request: JiraRequestFunction,
  limit: JiraRateLimit,
  clock: LimiterClock = systemClock,
): JiraRequestFunction => budgetedRequest(request, new TokenBucket(limit, clock));
