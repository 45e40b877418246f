import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { FromTemporaryCredentialsOptions } from '@aws-sdk/credential-providers';

import { classifyAwsError } from './classify-aws-error.js';

/** typed through the public API of the credential providers, not the SDK's internal type packages */
export type CredentialsProvider = ReturnType<typeof fromTemporaryCredentials>;
type Credentials = Awaited<ReturnType<CredentialsProvider>>;
type BaseCredentials = NonNullable<FromTemporaryCredentialsOptions['masterCredentials']>;
type StsClientConfig = NonNullable<FromTemporaryCredentialsOptions['clientConfig']>;

export const ROLE_SESSION_NAME = 'hubwarden';
/** refresh assumed credentials this long before they expire, so no call is signed with dying keys */
const REFRESH_MARGIN_MS = 5 * 60_000;

export interface MemberCredentialsOptions {
  /** `MEMBER_ROLE_ARN`, with `{accountId}` and `{partition}` placeholders; unset: base credentials everywhere */
  readonly roleArnTemplate?: string;
  /** `MEMBER_ROLE_EXTERNAL_ID` */
  readonly externalId?: string;
  readonly durationSeconds?: number;
  /** credentials that call AssumeRole; default the SDK's default chain */
  readonly baseCredentials?: BaseCredentials;
  /** configuration of the STS client used for AssumeRole (region, retries; endpoints come from the SDK's env support) */
  readonly stsClientConfig?: {
    readonly region?: string;
    readonly maxAttempts?: number;
    readonly endpoint?: string;
    /** timeouts (and anything else) of the STS client's request handler */
    readonly requestHandler?: StsClientConfig['requestHandler'];
  };
  readonly now?: () => number;
}

export const memberRoleArnFor = (template: string, accountId: string, partition: string): string =>
  template.replaceAll('{accountId}', accountId).replaceAll('{partition}', partition);

/**
 * One credentials provider per member account, cached: the role is assumed once per account (shared by the
 * ECR clients of every region) and again only shortly before the credentials expire or after a failure.
 */
export class MemberCredentials {
  private readonly providers = new Map<string, CredentialsProvider>();
  private readonly now: () => number;

  constructor(private readonly options: MemberCredentialsOptions) {
    this.now = options.now ?? Date.now;
  }

  /** `undefined` when no role is configured: the caller then uses its base credentials. */
  forAccount(accountId: string, partition: string): CredentialsProvider | undefined {
    const template = this.options.roleArnTemplate;
    if (template === undefined || template === '') return undefined;
    const roleArn = memberRoleArnFor(template, accountId, partition);
    const cached = this.providers.get(roleArn);
    if (cached !== undefined) return cached;
    const provider = this.memoize(
      fromTemporaryCredentials({
        params: {
          RoleArn: roleArn,
          RoleSessionName: ROLE_SESSION_NAME,
          ...(this.options.externalId === undefined ? {} : { ExternalId: this.options.externalId }),
          ...(this.options.durationSeconds === undefined
            ? {}
            : { DurationSeconds: this.options.durationSeconds }),
        },
        ...(this.options.baseCredentials === undefined
          ? {}
          : { masterCredentials: this.options.baseCredentials }),
        ...(this.options.stsClientConfig === undefined
          ? {}
          : { clientConfig: { ...this.options.stsClientConfig } }),
      }),
    );
    this.providers.set(roleArn, provider);
    return provider;
  }

  private memoize(source: CredentialsProvider): CredentialsProvider {
    let current: Promise<Credentials> | undefined;
    let expiresAt = Number.POSITIVE_INFINITY;
    return async () => {
      if (current === undefined || expiresAt - this.now() <= REFRESH_MARGIN_MS) {
        const attempt = source().then(
          (credentials) => {
            expiresAt = credentials.expiration?.getTime() ?? Number.POSITIVE_INFINITY;
            return credentials;
          },
          (error: unknown) => {
            // a failed AssumeRole must not stick: the next call tries again
            if (current === attempt) current = undefined;
            throw classifyAwsError(error, 'sts', 'AssumeRole');
          },
        );
        current = attempt;
        expiresAt = Number.POSITIVE_INFINITY;
      }
      return current;
    };
  }
}
