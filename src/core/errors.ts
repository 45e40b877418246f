/**
 * Errors that steer work. Adapters classify a provider's answer once, at the edge, into one of these
 * kinds; workers map the kind to retry / slow down / give up. Nothing matches on message text.
 */
export type ErrorKind =
  /** transient (5xx, network, timeouts): retry with backoff */
  | 'retryable'
  /** the provider asked us to slow down; `retryAfterMs` says for how long */
  | 'rate-limited'
  /** cannot succeed by retrying (access denied, not found, validation) */
  | 'permanent';

export type Service = 'securityhub' | 'ecr' | 'sts' | 'jira' | 'slack' | 'redis' | 'config';

export class HubwardenError extends Error {
  override readonly name = 'HubwardenError';
  readonly kind: ErrorKind;
  /** stable machine code, e.g. `jira.rate_limited`, `ecr.access_denied` */
  readonly code: string;
  readonly service: Service;
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;

  constructor(
    message: string,
    options: {
      kind: ErrorKind;
      code: string;
      service: Service;
      retryAfterMs?: number;
      status?: number;
      cause?: unknown;
    },
  ) {
    super(message, { cause: options.cause });
    this.kind = options.kind;
    this.code = options.code;
    this.service = options.service;
    this.retryAfterMs = options.retryAfterMs;
    this.status = options.status;
  }
}

export const isHubwardenError = (error: unknown): error is HubwardenError => error instanceof HubwardenError;

/** Kind of any thrown value: unknown errors are treated as transient. */
export const errorKindOf = (error: unknown): ErrorKind =>
  isHubwardenError(error) ? error.kind : 'retryable';
