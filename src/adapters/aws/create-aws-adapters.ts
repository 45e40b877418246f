import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';

import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { SecurityHubClientConfig } from '@aws-sdk/client-securityhub';
import { STSClient } from '@aws-sdk/client-sts';
import type { ECRClientConfig } from '@aws-sdk/client-ecr';
import type { FromTemporaryCredentialsOptions } from '@aws-sdk/credential-providers';

import { callerIdentity } from './caller-identity.js';
import type { CallerIdentity } from './caller-identity.js';
import { EcrRepositoryRegistry } from './ecr-repository-registry.js';
import { MemberCredentials } from './member-credentials.js';
import { SecurityHubFindingsSource } from './securityhub-findings-source.js';
import type { Clock } from '../../shared/token-bucket.js';

/**
 * How often the SDK itself tries a call before the error reaches hubwarden.
 * - Security Hub: 3 (the SDK's standard default). A poll walks hundreds of pages; restarting the walk for one
 *   5xx costs far more than a short in-SDK retry, and the client-side limiter keeps throttling rare.
 * - ECR and STS: 2. They run inside per-repository jobs that BullMQ already retries with backoff and jitter;
 *   one quick retry absorbs a blip, longer trouble goes back to the queue instead of holding a worker slot,
 *   and retries do not multiply (3 SDK attempts x N job attempts).
 */
export const SDK_MAX_ATTEMPTS = { securityHub: 3, ecr: 2, sts: 2 } as const;

type BaseCredentials = NonNullable<FromTemporaryCredentialsOptions['masterCredentials']>;

export interface AwsAdaptersOptions {
  /** `AWS_REGION`: STS calls and the default Security Hub region */
  readonly region: string;
  /** `SECURITYHUB_REGION`; default `region` */
  readonly securityHubRegion?: string;
  /** `MEMBER_ROLE_ARN` template; unset: base credentials for every account */
  readonly memberRoleArn?: string;
  /** `MEMBER_ROLE_EXTERNAL_ID` */
  readonly memberRoleExternalId?: string;
  /** base credentials; default the SDK's default chain (environment, profile, container, instance) */
  readonly credentials?: BaseCredentials;
  /** agents that reach AWS through a proxy (HTTPS_PROXY): every call, the member-role AssumeRole included */
  readonly proxyAgents?: { readonly httpAgent: HttpAgent; readonly httpsAgent: HttpsAgent };
  /** overrides of SDK retry attempts */
  readonly maxAttempts?: { readonly securityHub?: number; readonly ecr?: number; readonly sts?: number };
  /** limiter clock (tests) */
  readonly clock?: Clock;
  /** requests per second hubwarden allows itself (default a little under AWS's quotas) */
  readonly securityHubRates?: {
    readonly getFindingsPerSecond?: number;
    readonly batchUpdatePerSecond?: number;
  };
  /**
   * Client settings shared by all three clients (and the member-role STS client). Production leaves this
   * empty: endpoints then come from the SDK's own `AWS_ENDPOINT_URL_*` support, which must keep working.
   */
  readonly clientConfig?: Pick<
    SecurityHubClientConfig & ECRClientConfig,
    'endpoint' | 'requestHandler' | 'logger'
  >;
}

export interface AwsAdapters {
  readonly findingsSource: SecurityHubFindingsSource;
  readonly repositoryRegistry: EcrRepositoryRegistry;
  readonly callerIdentity: () => Promise<CallerIdentity>;
  readonly securityHubClient: SecurityHubClient;
  readonly stsClient: STSClient;
  /** closes every client's sockets */
  destroy(): void;
}

export const createAwsAdapters = (options: AwsAdaptersOptions): AwsAdapters => {
  // handler options, not an instance: each client owns its handler (destroying one closes no other's sockets)
  const requestHandler =
    options.clientConfig?.requestHandler ?? (options.proxyAgents ? { ...options.proxyAgents } : undefined);
  const shared = {
    ...options.clientConfig,
    ...(requestHandler === undefined ? {} : { requestHandler }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  };
  const attempts = { ...SDK_MAX_ATTEMPTS, ...options.maxAttempts };
  const securityHubClient = new SecurityHubClient({
    ...shared,
    region: options.securityHubRegion ?? options.region,
    maxAttempts: attempts.securityHub,
  });
  const stsClient = new STSClient({ ...shared, region: options.region, maxAttempts: attempts.sts });
  const memberCredentials = new MemberCredentials({
    ...(options.memberRoleArn === undefined ? {} : { roleArnTemplate: options.memberRoleArn }),
    ...(options.memberRoleExternalId === undefined ? {} : { externalId: options.memberRoleExternalId }),
    ...(options.credentials === undefined ? {} : { baseCredentials: options.credentials }),
    stsClientConfig: {
      region: options.region,
      maxAttempts: attempts.sts,
      requestHandler,
      ...(options.clientConfig?.endpoint === undefined
        ? {}
        : { endpoint: String(options.clientConfig.endpoint) }),
    },
  });
  const repositoryRegistry = new EcrRepositoryRegistry({
    credentials: memberCredentials,
    clientConfig: { ...shared, maxAttempts: attempts.ecr },
  });
  const rates = options.securityHubRates;
  const findingsSource = new SecurityHubFindingsSource({
    client: securityHubClient,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    // a raised quota raises the burst with it (AWS's burst is twice or three times the rate)
    ...(rates?.getFindingsPerSecond
      ? {
          getFindingsRate: {
            perSecond: rates.getFindingsPerSecond,
            burst: Math.max(1, Math.floor(rates.getFindingsPerSecond * 1.75)),
          },
        }
      : {}),
    ...(rates?.batchUpdatePerSecond
      ? {
          batchUpdateRate: {
            perSecond: rates.batchUpdatePerSecond,
            burst: Math.max(1, Math.floor(rates.batchUpdatePerSecond * 2.9)),
          },
        }
      : {}),
  });
  return {
    findingsSource,
    repositoryRegistry,
    callerIdentity: () => callerIdentity(stsClient),
    securityHubClient,
    stsClient,
    destroy: () => {
      securityHubClient.destroy();
      stsClient.destroy();
      repositoryRegistry.destroy();
    },
  };
};
