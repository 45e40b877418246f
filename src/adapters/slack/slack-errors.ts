import { webApi } from '@slack/bolt';

import { HubwardenError } from '../../core/errors.js';
import { networkReason } from '../../shared/error-reason.js';

/** Platform errors (`{ok: false, error}`) that a retry can cure; every other one is permanent. */
const TRANSIENT_PLATFORM_ERRORS = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'team_added_to_org',
]);

const hasCode = (error: unknown): error is { code: unknown } =>
  typeof error === 'object' && error !== null && 'code' in error;

/**
 * Classifies whatever a Web API call threw, by the SDK's error codes and Slack's error strings (never by
 * message text): 429 → rate-limited with its Retry-After; 5xx, network and Slack's own transient errors →
 * retryable; bad tokens, unknown channels, invalid arguments → permanent.
 */
export const classifySlackError = (error: unknown, method: string, apiUrl?: string): HubwardenError => {
  if (error instanceof HubwardenError) return error;
  const code = hasCode(error) ? error.code : undefined;
  // where the call went (the Web API base URL), so a failure names the host it could not reach
  const at = apiUrl ? ` at ${apiUrl}` : '';
  switch (code) {
    case webApi.ErrorCode.RateLimitedError: {
      const { retryAfter } = error as webApi.WebAPIRateLimitedError;
      return new HubwardenError(`Slack ${method}${at} rate limited; retry after ${retryAfter} s`, {
        kind: 'rate-limited',
        code: 'slack.rate_limited',
        service: 'slack',
        retryAfterMs: retryAfter * 1000,
        status: 429,
        cause: error,
      });
    }
    case webApi.ErrorCode.PlatformError: {
      const slackError = (error as webApi.WebAPIPlatformError).data.error;
      if (slackError === 'ratelimited') {
        return new HubwardenError(`Slack ${method}${at} rate limited`, {
          kind: 'rate-limited',
          code: 'slack.rate_limited',
          service: 'slack',
          retryAfterMs: 1000,
          cause: error,
        });
      }
      return new HubwardenError(`Slack ${method}${at} failed: ${slackError}`, {
        kind: TRANSIENT_PLATFORM_ERRORS.has(slackError) ? 'retryable' : 'permanent',
        code: `slack.${slackError}`,
        service: 'slack',
        cause: error,
      });
    }
    case webApi.ErrorCode.HTTPError: {
      const { statusCode } = error as webApi.WebAPIHTTPError;
      const retryable = statusCode >= 500 || statusCode === 408;
      return new HubwardenError(`Slack ${method}${at} answered HTTP ${statusCode}`, {
        kind: retryable ? 'retryable' : 'permanent',
        code: `slack.http_${statusCode}`,
        service: 'slack',
        status: statusCode,
        cause: error,
      });
    }
    case webApi.ErrorCode.RequestError:
      return new HubwardenError(`Slack ${method}${at} request failed: ${networkReason(error)}`, {
        kind: 'retryable',
        code: 'slack.request_failed',
        service: 'slack',
        cause: error,
      });
    default:
      return new HubwardenError(`Slack ${method}${at} failed: ${networkReason(error)}`, {
        kind: 'retryable',
        code: 'slack.unexpected',
        service: 'slack',
        cause: error,
      });
  }
};
