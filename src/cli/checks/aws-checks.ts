import type { Service } from '../../app/composition-root.js';
import { isHubwardenError } from '../../core/errors.js';
import { failCheck, type Check } from './check.js';

const once = <T>(load: () => Promise<T>): (() => Promise<T>) => {
  let value: Promise<T> | undefined;
  return () => (value ??= load());
};

const partitionOf = (arn: string): string => /^arn:([^:]+):/.exec(arn)?.[1] ?? 'aws';

/**
 * AWS: who the base credentials are, the exact GetFindings an incremental poll sends (the findings source
 * builds the filter, so this check can never drift from the poller), and the member role in every account
 * the owners file names.
 */
export const awsChecks = (service: Service, controlId: string): Check[] => {
  const { env, policy } = service.config;
  const identity = once(() => service.aws.callerIdentity());
  const memberRole = (accountId: string): Check => ({
    name: `member role ${accountId}`,
    needs: 'aws sts',
    run: async () => {
      const partition = partitionOf((await identity()).arn);
      try {
        return `assumed ${await service.aws.assumeMemberRole(accountId, partition)}`;
      } catch (error) {
        if (!isHubwardenError(error) || error.code !== 'sts.access_denied') throw error;
        return failCheck(
          `AssumeRole refused in account ${accountId}`,
          `deploy deploy/aws/member-account.yml there, trusting ${(await identity()).arn}` +
            (env.MEMBER_ROLE_EXTERNAL_ID ? ', with the ExternalId of MEMBER_ROLE_EXTERNAL_ID' : ''),
        );
      }
    },
  });
  const accounts = [...policy.accounts.keys()].sort();
  return [
    { name: 'aws sts', run: async () => `caller ${(await identity()).arn}` },
    {
      name: 'security hub',
      run: async () => {
        const since = new Date(Date.now() - env.POLL_INTERVAL_SECONDS * 1000);
        try {
          const query = { controlId, updatedSince: since };
          const pages = service.aws.findingsSource.pages(query)[Symbol.asyncIterator]();
          const page = await pages.next();
          await pages.return?.();
          const count = page.done ? 0 : page.value.findings.length;
          return `GetFindings with the incremental filter answered (${count} findings on the first page)`;
        } catch (error) {
          if (!isHubwardenError(error) || error.kind !== 'permanent') throw error;
          const region = env.SECURITYHUB_REGION ?? env.AWS_REGION;
          return failCheck(
            `GetFindings refused in ${region} (${error.code})`,
            error.code === 'securityhub.invalid_input'
              ? 'Security Hub refused the incremental filter: upgrade hubwarden'
              : `enable Security Hub in ${region} (the aggregator region; see SECURITYHUB_REGION) and allow securityhub:GetFindings to the base credentials (deploy/aws/admin-account.yml)`,
          );
        }
      },
    },
    ...(env.MEMBER_ROLE_ARN === undefined
      ? [{ name: 'member role', run: async () => 'MEMBER_ROLE_ARN unset: base credentials in every account' }]
      : accounts.length === 0
        ? [{ name: 'member role', run: async () => 'no account named in the owners file to try' }]
        : accounts.map(memberRole)),
  ];
};
