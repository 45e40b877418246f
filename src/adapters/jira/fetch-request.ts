import { fetch as undiciFetch } from 'undici';
import type { Dispatcher } from 'undici';

import { HubwardenError } from '../../core/errors.js';
import { networkReason } from '../../shared/error-reason.js';

/** The options jira-client hands its `request` function (the postman-request shape it was written for). */
export interface JiraRequestOptions {
  readonly uri?: string;
  readonly url?: string;
  readonly method?: string;
  readonly body?: unknown;
  readonly json?: boolean;
  readonly headers?: Readonly<Record<string, string>>;
  readonly auth?: { readonly user?: string; readonly pass?: string; readonly bearer?: string };
  /** milliseconds */
  readonly timeout?: number;
}

/** jira-client's pluggable request function: resolves with the parsed body, rejects with a classified error. */
export type JiraRequestFunction = (options: JiraRequestOptions) => Promise<unknown>;

export interface FetchRequestOptions {
  /** defaults to the global `fetch` */
  readonly fetch?: typeof fetch;
  /**
   * undici dispatcher (a proxy: Node's global fetch ignores HTTPS_PROXY); requests then go through undici's
   * own fetch, which takes it
   */
  readonly dispatcher?: Dispatcher;
  /** used when jira-client passes no `timeout`; default 30 s */
  readonly timeoutMs?: number;
  /** delay assumed for a 429 without a usable `Retry-After`; default 10 s */
  readonly defaultRetryAfterMs?: number;
  readonly now?: () => number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_RETRY_AFTER_MS = 10_000;
const MAX_DETAIL_LENGTH = 500;

/** Milliseconds to wait from `Retry-After` (delta seconds or an HTTP-date); `undefined` when absent or invalid. */
export const parseRetryAfter = (value: string | null | undefined, nowMs: number): number | undefined => {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
};

// Jira's error bodies are `{ errorMessages: string[], errors: { field: message } }`, sometimes plain text.
const errorDetail = (body: unknown): string => {
  if (typeof body === 'string') return body.trim().slice(0, MAX_DETAIL_LENGTH);
  if (typeof body !== 'object' || body === null) return '';
  const { errorMessages, errors } = body as { errorMessages?: unknown; errors?: unknown };
  const messages = Array.isArray(errorMessages) ? errorMessages.filter((m) => typeof m === 'string') : [];
  const fields =
    typeof errors === 'object' && errors !== null
      ? Object.entries(errors).map(([field, message]) => `${field}: ${String(message)}`)
      : [];
  return [...messages, ...fields].join('; ').slice(0, MAX_DETAIL_LENGTH);
};

/** Jira's per-field messages (`errors`) of an error body; empty when it has none. */
const fieldErrorsOf = (body: unknown): Record<string, string> => {
  if (typeof body !== 'object' || body === null) return {};
  const { errors } = body as { errors?: unknown };
  if (typeof errors !== 'object' || errors === null || Array.isArray(errors)) return {};
  return Object.fromEntries(
    Object.entries(errors).map(([field, message]) => [field, String(message).slice(0, MAX_DETAIL_LENGTH)]),
  );
};

/**
 * A refusal that names fields (`errors: { assignee: "User 'x' cannot be assigned issues." }`), so the adapter
 * can react to the field (leave the ticket unassigned, set a resolution) without reading message text.
 */
export class JiraFieldRefusal extends HubwardenError {
  constructor(
    message: string,
    options: ConstructorParameters<typeof HubwardenError>[1],
    readonly fieldErrors: Readonly<Record<string, string>>,
  ) {
    super(message, options);
  }
}

export const isFieldRefusal = (error: unknown, field: string): error is JiraFieldRefusal =>
  error instanceof JiraFieldRefusal && error.fieldErrors[field] !== undefined;

const PERMANENT_CODES: Readonly<Record<number, string>> = {
  400: 'jira.invalid',
  401: 'jira.unauthorized',
  403: 'jira.forbidden',
  404: 'jira.not_found',
  405: 'jira.method_not_allowed',
  410: 'jira.gone',
  413: 'jira.too_large',
};

/** The classified error for a non-2xx Jira answer. */
export const classifyJiraResponse = (
  answer: { status: number; retryAfter: string | null; body: unknown; method: string; path: string },
  options: { nowMs: number; defaultRetryAfterMs: number },
): HubwardenError => {
  const { status, method, path } = answer;
  const detail = errorDetail(answer.body);
  const message = `Jira answered ${status} to ${method} ${path}${detail ? `: ${detail}` : ''}`;
  const retryAfterMs = parseRetryAfter(answer.retryAfter, options.nowMs);
  if (status === 429) {
    return new HubwardenError(message, {
      kind: 'rate-limited',
      code: 'jira.rate_limited',
      service: 'jira',
      status,
      retryAfterMs: retryAfterMs ?? options.defaultRetryAfterMs,
    });
  }
  if (status >= 500 || status === 408 || status === 409) {
    return new HubwardenError(message, {
      kind: 'retryable',
      code: status >= 500 ? 'jira.unavailable' : 'jira.conflict',
      service: 'jira',
      status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  const permanent = {
    kind: 'permanent' as const,
    code: PERMANENT_CODES[status] ?? 'jira.rejected',
    service: 'jira' as const,
    status,
  };
  const fieldErrors = fieldErrorsOf(answer.body);
  return Object.keys(fieldErrors).length > 0
    ? new JiraFieldRefusal(message, permanent, fieldErrors)
    : new HubwardenError(message, permanent);
};

const authorizationHeader = (auth: JiraRequestOptions['auth']): string | undefined => {
  if (auth?.bearer) return `Bearer ${auth.bearer}`;
  if (auth?.user !== undefined && auth.pass !== undefined && auth.user !== '') {
    return `Basic ${Buffer.from(`${auth.user}:${auth.pass}`).toString('base64')}`;
  }
  return undefined;
};

const parseBody = (text: string, contentType: string | null): unknown => {
  if (text === '') return undefined;
  if (contentType?.includes('json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
};

/**
 * Where a request went, for error messages: origin and path, never the query (values) or user info
 * (credentials), e.g. `https://acme.atlassian.net/rest/api/3/myself`.
 */
const pathOf = (uri: string): string => {
  try {
    const url = new URL(uri);
    return `${url.origin}${url.pathname}`;
  } catch {
    return '(invalid url)';
  }
};

/**
 * A `request` function for jira-client built on `fetch`. Unlike jira-client's default it keeps the status
 * code and `Retry-After`, so every failure leaves here as a `HubwardenError`: 429 rate-limited, 5xx, network
 * failures and timeouts retryable, other 4xx permanent. Messages carry Jira's own error text but never the
 * credentials (they travel only in the Authorization header).
 */
export const createFetchRequest = (options: FetchRequestOptions = {}): JiraRequestFunction => {
  const { dispatcher } = options;
  const fetchImpl: typeof fetch =
    options.fetch ??
    (dispatcher
      ? (input, init) =>
          undiciFetch(input as string, {
            ...(init as Parameters<typeof undiciFetch>[1]),
            dispatcher,
          }) as unknown as Promise<Response>
      : globalThis.fetch);
  const now = options.now ?? Date.now;
  const defaultRetryAfterMs = options.defaultRetryAfterMs ?? DEFAULT_RETRY_AFTER_MS;
  return async (request) => {
    const uri = request.uri ?? request.url;
    const method = (request.method ?? 'GET').toUpperCase();
    if (uri === undefined) {
      throw new HubwardenError('Jira request without a URL', {
        kind: 'permanent',
        code: 'jira.invalid',
        service: 'jira',
      });
    }
    const path = pathOf(uri);
    const headers: Record<string, string> = { Accept: 'application/json', ...request.headers };
    const authorization = authorizationHeader(request.auth);
    if (authorization) headers.Authorization = authorization;
    let body: string | undefined;
    if (request.body !== undefined) {
      body =
        typeof request.body === 'string' && request.json !== true
          ? request.body
          : JSON.stringify(request.body);
      headers['Content-Type'] = 'application/json';
    }
    const timeoutMs = request.timeout ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let response: Response;
    let text: string;
    try {
      response = await fetchImpl(uri, { method, headers, body, signal: AbortSignal.timeout(timeoutMs) });
      text = await response.text();
    } catch (error) {
      const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
      throw new HubwardenError(
        timedOut
          ? `Jira did not answer ${method} ${path} within ${timeoutMs} ms`
          : `Jira unreachable on ${method} ${path}: ${networkReason(error)}`,
        {
          kind: 'retryable',
          code: timedOut ? 'jira.timeout' : 'jira.network',
          service: 'jira',
          cause: error,
        },
      );
    }
    const parsed = parseBody(text, response.headers.get('content-type'));
    if (response.ok) return parsed;
    throw classifyJiraResponse(
      {
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
        body: parsed,
        method,
        path,
      },
      { nowMs: now(), defaultRetryAfterMs },
    );
  };
};
