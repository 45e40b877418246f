import { HubwardenError, isHubwardenError } from '../../core/errors.js';
import type { Service } from '../../core/errors.js';
import { networkReason, providerMessage } from '../../shared/error-reason.js';

type AwsService = Extract<Service, 'securityhub' | 'ecr' | 'sts'>;

/** The parts of an AWS SDK v3 exception (or a Node network error) the classification reads. */
interface SdkErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $response?: { readonly headers?: Record<string, string | undefined> };
}

const THROTTLING = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestLimitExceeded',
  'LimitExceededException',
]);
const ACCESS_DENIED = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'InvalidAccessException',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'MissingAuthenticationTokenException',
  'SignatureDoesNotMatch',
]);
const INVALID_INPUT = new Set([
  'InvalidInputException',
  'InvalidParameterException',
  'ValidationException',
  'ValidationError',
  'SerializationException',
  'InvalidParameterValue',
]);
const TRANSIENT_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ExpiredTokenException',
]);
/** not-found errors with a code of their own; the rest map to `<service>.not_found` */
const NOT_FOUND: Readonly<Record<string, string>> = {
  RepositoryNotFoundException: 'ecr.repository_not_found',
  ResourceNotFoundException: '',
  NoSuchEntity: '',
};

const DEFAULT_RETRY_AFTER_MS = 1_000;

/** `Retry-After` as seconds or an HTTP date, in ms from now; `undefined` when absent or unreadable. */
export const retryAfterMsOf = (error: unknown, now: number = Date.now()): number | undefined => {
  const headers = (error as SdkErrorShape | null)?.$response?.headers ?? {};
  const value = Object.entries(headers).find(([key]) => key.toLowerCase() === 'retry-after')?.[1];
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
};

/** The region an SDK client calls, for error messages; `undefined` when it cannot tell. */
export const regionOf = async (client: { readonly config?: { readonly region?: unknown } }) => {
  const region = client.config?.region;
  try {
    const value: unknown = typeof region === 'function' ? await (region as () => unknown)() : region;
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Why, for people: with an HTTP answer, the exception name, status and AWS's own message
 * (`AccessDeniedException (HTTP 400): User ... is not authorized ...`); without one, the system error
 * (`ECONNREFUSED (connect ECONNREFUSED 10.0.0.5:443)`). AWS messages name principals and resources,
 * never credentials.
 */
const reasonOf = (shape: SdkErrorShape, name: string, status: number | undefined): string => {
  if (status === undefined) {
    const reason = networkReason(shape);
    return name === 'Error' || reason.startsWith(name) ? reason : `${name}: ${reason}`;
  }
  const said = providerMessage(shape.message);
  return `${name} (HTTP ${status})${said && said !== name && said !== 'UnknownError' ? `: ${said}` : ''}`;
};

/**
 * Classifies anything an AWS SDK call threw, once, at the adapter edge: by exception name and HTTP status
 * (never by message text). Errors already classified (e.g. by a credentials provider) pass through.
 */
export const classifyAwsError = (
  error: unknown,
  service: AwsService,
  action: string,
  where?: string,
): HubwardenError => {
  if (isHubwardenError(error)) return error;
  const shape = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const name = typeof shape.name === 'string' ? shape.name : 'Error';
  const status = shape.$metadata?.httpStatusCode;
  const message = `${service} ${action}${where ? ` in ${where}` : ''} failed: ${reasonOf(shape, name, status)}`;
  const make = (kind: HubwardenError['kind'], code: string, retryAfterMs?: number): HubwardenError =>
    new HubwardenError(message, {
      kind,
      code,
      service,
      cause: error,
      ...(status === undefined ? {} : { status }),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });

  if (THROTTLING.has(name) || status === 429) {
    return make('rate-limited', `${service}.rate_limited`, retryAfterMsOf(error) ?? DEFAULT_RETRY_AFTER_MS);
  }
  if (ACCESS_DENIED.has(name)) return make('permanent', `${service}.access_denied`);
  const notFound = NOT_FOUND[name];
  if (notFound !== undefined) return make('permanent', notFound === '' ? `${service}.not_found` : notFound);
  if (INVALID_INPUT.has(name)) return make('permanent', `${service}.invalid_input`);
  // the default chain found no credentials at all: configuration, not a passing fault
  if (name === 'CredentialsProviderError') return make('permanent', `${service}.no_credentials`);
  if (TRANSIENT_NAMES.has(name)) return make('retryable', `${service}.timeout`, retryAfterMsOf(error));
  if (status !== undefined && status >= 500)
    return make('retryable', `${service}.unavailable`, retryAfterMsOf(error));
  if (status === 403) return make('permanent', `${service}.access_denied`);
  if (status !== undefined && status >= 400) return make('permanent', `${service}.client_error`);
  // no HTTP answer at all: connection refused or reset, DNS, socket timeout
  return make('retryable', `${service}.network`);
};
