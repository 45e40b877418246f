import { AwsError } from './aws-error.js';

/** `service.Operation`, e.g. `securityhub.GetFindings`, `ecr.DescribeImages`, `sts.AssumeRole`. */
export type OperationKey = string;

export interface Fault {
  /** e.g. `securityhub.GetFindings`; `*` matches every operation */
  readonly operation: OperationKey;
  /** how many of the next calls fail (default 1) */
  readonly count?: number;
  readonly status: number;
  /** error code as the protocol carries it, e.g. `TooManyRequestsException`, `InternalException` */
  readonly code: string;
  readonly message?: string;
  /** sent as `Retry-After` (seconds) */
  readonly retryAfterSeconds?: number;
}

export interface RateLimit {
  readonly perSecond: number;
  readonly burst: number;
}

/** Security Hub's documented quotas for the two operations hubwarden calls. */
export const SECURITY_HUB_RATE_LIMITS: Readonly<Record<OperationKey, RateLimit>> = {
  'securityhub.GetFindings': { perSecond: 3, burst: 6 },
  'securityhub.BatchUpdateFindings': { perSecond: 10, burst: 30 },
};

const THROTTLE_CODE: Readonly<Record<string, string>> = {
  securityhub: 'TooManyRequestsException',
  ecr: 'ThrottlingException',
  sts: 'Throttling',
};

interface Bucket {
  tokens: number;
  at: number;
}

/** Call counters, switchable token-bucket rate limits and injected faults, shared by every service. */
export class TrafficControl {
  readonly calls: Record<OperationKey, number> = {};
  /** 429s sent by the rate limiter (injected faults are not counted here) */
  readonly throttled: Record<OperationKey, number> = {};
  rateLimitsEnabled: boolean;
  private readonly limits: Record<OperationKey, RateLimit>;
  private readonly buckets = new Map<OperationKey, Bucket>();
  private faults: { fault: Fault; left: number }[] = [];

  constructor(
    options: { rateLimits?: boolean; limits?: Record<OperationKey, RateLimit> },
    private readonly now: () => number,
  ) {
    this.rateLimitsEnabled = options.rateLimits ?? false;
    this.limits = { ...SECURITY_HUB_RATE_LIMITS, ...options.limits };
  }

  inject(fault: Fault): void {
    this.faults.push({ fault, left: fault.count ?? 1 });
  }

  clearFaults(): void {
    this.faults = [];
  }

  totalThrottled(): number {
    return Object.values(this.throttled).reduce((sum, n) => sum + n, 0);
  }

  /** Counts the call and throws the error it must answer with, if any. */
  admit(operation: OperationKey): void {
    this.calls[operation] = (this.calls[operation] ?? 0) + 1;
    const injected = this.faults.find(
      (entry) => entry.left > 0 && (entry.fault.operation === operation || entry.fault.operation === '*'),
    );
    if (injected !== undefined) {
      injected.left -= 1;
      this.faults = this.faults.filter((entry) => entry.left > 0);
      const { fault } = injected;
      const headers: Record<string, string> =
        fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
      throw new AwsError(fault.status, fault.code, fault.message ?? `Injected ${fault.code}`, headers);
    }
    if (this.rateLimitsEnabled && !this.take(operation)) {
      this.throttled[operation] = (this.throttled[operation] ?? 0) + 1;
      const service = operation.split('.')[0] ?? '';
      throw new AwsError(429, THROTTLE_CODE[service] ?? 'ThrottlingException', 'Rate exceeded');
    }
  }

  private take(operation: OperationKey): boolean {
    const limit = this.limits[operation];
    if (limit === undefined) return true;
    const now = this.now();
    const bucket = this.buckets.get(operation) ?? { tokens: limit.burst, at: now };
    bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * limit.perSecond);
    bucket.at = now;
    this.buckets.set(operation, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
