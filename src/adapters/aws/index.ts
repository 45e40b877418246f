export { callerIdentity } from './caller-identity.js';
export type { CallerIdentity } from './caller-identity.js';
export { classifyAwsError, retryAfterMsOf } from './classify-aws-error.js';
export { SDK_MAX_ATTEMPTS, createAwsAdapters } from './create-aws-adapters.js';
export type { AwsAdapters, AwsAdaptersOptions } from './create-aws-adapters.js';
export { DEFAULT_AWS_TIMEOUTS, awsRequestHandler } from './request-handler.js';
export type { AwsRequestHandlerOptions, AwsTimeouts } from './request-handler.js';
export { EcrRepositoryRegistry } from './ecr-repository-registry.js';
export type { EcrRepositoryRegistryOptions } from './ecr-repository-registry.js';
export { MemberCredentials, ROLE_SESSION_NAME, memberRoleArnFor } from './member-credentials.js';
export type { CredentialsProvider, MemberCredentialsOptions } from './member-credentials.js';
export {
  BATCH_UPDATE_FINDINGS_RATE,
  GET_FINDINGS_RATE,
  MAX_FINDINGS_PER_UPDATE,
  MAX_NOTE_LENGTH,
  NOTE_AUTHOR,
  OPEN_END,
  PERMANENT_UNPROCESSED_CODES,
  partitionOfRegion,
  SecurityHubFindingsSource,
  truncateNote,
} from './securityhub-findings-source.js';
export type { SecurityHubFindingsSourceOptions } from './securityhub-findings-source.js';
export { TokenBucket, systemClock } from '../../shared/token-bucket.js';
export type { Clock, RateLimit } from '../../shared/token-bucket.js';
