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
import { MemberCredentials, memberRoleArnFor } from './member-credentials.js';
import { awsRequestHandler } from './request-handler.js';
import type { AwsTimeouts } from './request-handler.js';
import {
  BATCH_UPDATE_FINDINGS_RATE,
  GET_FINDINGS_RATE,
  partitionOfRegion,
  SecurityHubFindingsSource,
} from './securityhub-findings-source.js';
import type { BudgetFactory, Clock, RateLimit } from '../../shared/token-bucket.js';
import { accountScopedBudget, memoized } from './account-scoped-budget.js';

/**
 * How often the SDK itself tries a call before the error reaches hubwarden: 2 everywhere, one quick retry.
 * - It absorbs a blip (a 5xx, a reset connection) without restarting a poll's walk through hundreds of pages
 *   or a repository job.
 * - It bounds a hung provider: a call that times out is tried once more, so no call (and no poll or
 *   repository lock) waits longer than two request timeouts plus the SDK's short backoff.
 * - ECR and STS run inside per-repository jobs that BullMQ already retries with backoff and jitter; longer
 *   trouble goes back to the queue instead of holding a worker slot, and retries do not multiply.
 */
export const SDK_MAX_ATTEMPTS = { securityHub: 2, ecr: 2, sts: 2 } as const;

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
  /** connection and request timeouts of every AWS call; default connect 3 s, request 20 s */
  readonly timeouts?: AwsTimeouts;
  /** agents that reach AWS through a proxy (HTTPS_PROXY): every call, the member-role AssumeRole included */
  readonly proxyAgents?: { readonly httpAgent: HttpAgent; readonly httpsAgent: HttpsAgent };
  /** overrides of SDK retry attempts */
  readonly maxAttempts?: { readonly securityHub?: number; readonly ecr?: number; readonly sts?: number };
  /** limiter clock (tests) */
  readonly clock?: Clock;
  /**
   * Where the Security Hub budgets live (per aggregator account and region), e.g. in Redis so that every
   * process of a deployment shares them; default an in-process bucket per operation
   */
  readonly budgets?: BudgetFactory;
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
  /**
   * Assumes `MEMBER_ROLE_ARN` in this account (with `MEMBER_ROLE_EXTERNAL_ID`) and answers the role ARN;
   * `undefined` when no member role is configured. Throws a classified `sts` error when AWS refuses.
   */
  readonly assumeMemberRole: (accountId: string, partition: string) => Promise<string | undefined>;
  readonly securityHubClient: SecurityHubClient;
  readonly stsClient: STSClient;
  /** closes every client's sockets */
  destroy(): void;
}

export const createAwsAdapters = (options: AwsAdaptersOptions): AwsAdapters => {
  // handler options, not an instance: each client owns its handler (destroying one closes no other's sockets)
  const requestHandler = options.clientConfig?.requestHandler ?? {
    ...awsRequestHandler(options.timeouts),
    ...options.proxyAgents,
  };
  const shared = {
    ...options.clientConfig,
    requestHandler,
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  };
  const attempts = { ...SDK_MAX_ATTEMPTS, ...options.maxAttempts };
  const securityHubRegion = options.securityHubRegion ?? options.region;
  const securityHubClient = new SecurityHubClient({
    ...shared,
    region: securityHubRegion,
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
  // a raised quota raises the burst with it (AWS's burst is twice or three times the rate)
  const getFindingsRate: RateLimit | undefined = rates?.getFindingsPerSecond
    ? {
        perSecond: rates.getFindingsPerSecond,
        burst: Math.max(1, Math.floor(rates.getFindingsPerSecond * 1.75)),
      }
    : undefined;
  const batchUpdateRate: RateLimit | undefined = rates?.batchUpdatePerSecond
    ? {
        perSecond: rates.batchUpdatePerSecond,
        burst: Math.max(1, Math.floor(rates.batchUpdatePerSecond * 2.9)),
      }
    : undefined;
  const aggregatorAccount = memoized(async () => (await callerIdentity(stsClient)).accountId);
  const budgets = options.budgets;
  const findingsSource = new SecurityHubFindingsSource({
    client: securityHubClient,
    // no consolidated controls outside the commercial partition: select the per-standard findings too
    perStandardFindings: partitionOfRegion(securityHubRegion) !== 'aws',
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(getFindingsRate ? { getFindingsRate } : {}),
    ...(batchUpdateRate ? { batchUpdateRate } : {}),
    ...(budgets
      ? {
          budgets: {
            getFindings: accountScopedBudget(
              budgets,
              'securityhub:GetFindings',
              securityHubRegion,
              getFindingsRate ?? GET_FINDINGS_RATE,
              aggregatorAccount,
            ),
            batchUpdate: accountScopedBudget(
              budgets,
              'securityhub:BatchUpdateFindings',
              securityHubRegion,
              batchUpdateRate ?? BATCH_UPDATE_FINDINGS_RATE,
              aggregatorAccount,
            ),
          },
        }
      : {}),
  });
  return {
    findingsSource,
    repositoryRegistry,
    callerIdentity: () => callerIdentity(stsClient),
    assumeMemberRole: async (accountId, partition) => {
      const provider = memberCredentials.forAccount(accountId, partition);
      if (provider === undefined || options.memberRoleArn === undefined) return undefined;
      await provider();
      return memberRoleArnFor(options.memberRoleArn, accountId, partition);
    },
    securityHubClient,
    stsClient,
    destroy: () => {
      securityHubClient.destroy();
      stsClient.destroy();
      repositoryRegistry.destroy();
    },
  };
};
