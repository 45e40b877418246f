import type { webApi } from '@slack/bolt';
import { fetch as undiciFetch } from 'undici';
import type { Dispatcher } from 'undici';

import type { SlackLogger } from './slack-logger.js';
import { toSdkLogger } from './slack-logger.js';

export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';

/** The Web API base URL with the trailing slash WebClient needs. */
export const normaliseApiUrl = (apiUrl: string | undefined): string => {
  const url = apiUrl ?? DEFAULT_SLACK_API_URL;
  return url.endsWith('/') ? url : `${url}/`;
};

/**
 * A `fetch` for WebClient that goes through `dispatcher` (a proxy). Node's global fetch takes no proxy and
 * ignores HTTPS_PROXY, so the Web API calls use undici's fetch with the dispatcher instead.
 */
export const proxiedFetch =
  (dispatcher: Dispatcher): webApi.FetchFunction =>
  (url, init) =>
    // WebClient hands over a WHATWG RequestInit; undici's fetch is the same function with a dispatcher
    undiciFetch(url, {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher,
    }) as ReturnType<webApi.FetchFunction>;

/**
 * WebClient options for hubwarden. By default WebClient retries for about 30 minutes and sleeps through
 * 429s inside the call; that would hold a worker's job (and its lock) hostage and hide the rate limit
 * from the queue. So: no retries, reject rate-limited calls (the adapter turns them into `rate-limited`
 * errors with Retry-After and BullMQ reschedules the job), and a timeout so a hung connection fails.
 */
export const webClientOptions = (
  apiUrl: string | undefined,
  logger: SlackLogger,
  timeoutMs = 10_000,
  dispatcher?: Dispatcher,
): webApi.WebClientOptions => ({
  slackApiUrl: normaliseApiUrl(apiUrl),
  ...(dispatcher ? { fetch: proxiedFetch(dispatcher) } : {}),
  retryConfig: { retries: 0 },
  rejectRateLimitedCalls: true,
  timeout: timeoutMs,
  logger: toSdkLogger(logger, 'slack-web-api'),
});
