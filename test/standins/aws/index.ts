import { EcrStandIn } from './ecr.js';
import { SecurityHubStandIn } from './securityhub.js';
import { listen } from './server.js';
import { StsStandIn } from './sts.js';
import { TrafficControl } from './traffic-control.js';
import type { Fault, RateLimit } from './traffic-control.js';

export { AwsError } from './aws-error.js';
export type {
  EcrImage,
  EcrRepository,
  EcrStandIn,
  ExclusionFilter,
  ImageTagMutability,
  NewRepository,
} from './ecr.js';
export type { Asff, SecurityHubStandIn } from './securityhub.js';
export type { AssumeRoleRecord, Identity, StsStandIn } from './sts.js';
export { SECURITY_HUB_RATE_LIMITS } from './traffic-control.js';
export type { Fault, OperationKey, RateLimit } from './traffic-control.js';

export interface AwsStandInOptions {
  /** account of the base (administrator) credentials; default `111111111111` */
  readonly adminAccountId?: string;
  /** AWS_REGION handed out by `env()`; default `us-east-1` */
  readonly region?: string;
  readonly partition?: string;
  /** base credentials; defaults are obviously fake */
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  /** Security Hub rate limits (GetFindings 3/s burst 6, BatchUpdateFindings 10/s burst 30); default off */
  readonly rateLimits?: boolean;
  /** replaces or adds per-operation limits, e.g. `{ 'ecr.DescribeImages': { perSecond: 5, burst: 5 } }` */
  readonly limits?: Record<string, RateLimit>;
  /** clock (ms) for token buckets, timestamps and credential expiry; default `Date.now` */
  readonly now?: () => number;
}

export interface AwsStandIn {
  readonly url: string;
  readonly endpoints: { readonly securityhub: string; readonly ecr: string; readonly sts: string };
  readonly region: string;
  readonly adminAccountId: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly securityHub: SecurityHubStandIn;
  readonly ecr: EcrStandIn;
  readonly sts: StsStandIn;
  /** calls received per `service.Operation` (every call, including failed ones) */
  readonly calls: Readonly<Record<string, number>>;
  /** 429s sent by the rate limiter per `service.Operation` */
  readonly throttled: Readonly<Record<string, number>>;
  totalThrottled(): number;
  setRateLimits(enabled: boolean): void;
  /** the next `count` calls of an operation fail with this status and code */
  inject(fault: Fault): void;
  clearFaults(): void;
  /** AWS_* variables that point an unmodified SDK at this stand-in, with dummy credentials */
  env(): Record<string, string>;
  /** explicit client configuration, for tests that do not touch `process.env` */
  clientConfig(region?: string): {
    region: string;
    endpoint: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  close(): Promise<void>;
}

/** Starts Security Hub, ECR and STS stand-ins on one ephemeral 127.0.0.1 port. */
export const startAwsStandIn = async (options: AwsStandInOptions = {}): Promise<AwsStandIn> => {
  const now = options.now ?? Date.now;
  const region = options.region ?? 'us-east-1';
  const adminAccountId = options.adminAccountId ?? '111111111111';
  const credentials = {
    accessKeyId: options.accessKeyId ?? 'AKIAHUBWARDENSTANDIN',
    secretAccessKey: options.secretAccessKey ?? 'hubwarden-stand-in-secret-not-real',
  };
  const traffic = new TrafficControl({ rateLimits: options.rateLimits, limits: options.limits }, now);
  const securityHub = new SecurityHubStandIn(now);
  const ecr = new EcrStandIn(now);
  const sts = new StsStandIn(
    {
      accessKeyId: credentials.accessKeyId,
      accountId: adminAccountId,
      partition: options.partition ?? 'aws',
    },
    now,
  );
  const { url, close } = await listen({ securityHub, ecr, sts, traffic });
  return {
    url,
    endpoints: { securityhub: url, ecr: url, sts: url },
    region,
    adminAccountId,
    credentials,
    securityHub,
    ecr,
    sts,
    calls: traffic.calls,
    throttled: traffic.throttled,
    totalThrottled: () => traffic.totalThrottled(),
    setRateLimits: (enabled) => {
      traffic.rateLimitsEnabled = enabled;
    },
    inject: (fault) => traffic.inject(fault),
    clearFaults: () => traffic.clearFaults(),
    env: () => ({
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_ENDPOINT_URL_SECURITYHUB: url,
      AWS_ENDPOINT_URL_ECR: url,
      AWS_ENDPOINT_URL_STS: url,
      // keeps the SDK from reading a developer's ~/.aws files during tests and the demo
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_EC2_METADATA_DISABLED: 'true',
    }),
    clientConfig: (clientRegion) => ({
      region: clientRegion ?? region,
      endpoint: url,
      credentials: { ...credentials },
    }),
    close,
  };
};
