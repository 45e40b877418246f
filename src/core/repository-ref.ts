import { digest } from './hash.js';
import type { RepositoryRef } from './model.js';

const ECR_REPOSITORY_ARN =
  /^arn:(aws[a-zA-Z-]*):ecr:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):repository\/([a-z0-9][a-z0-9._/-]{0,255})$/;

/** `r` + 16 hex digits of the ARN's SHA-256: fits BullMQ job ids (no `:`), Jira labels and Redis keys. */
export const repositoryKeyOf = (arn: string): string => `r${digest(arn)}`;

/** The Jira label that finds a repository's ticket again after any loss of state. */
export const ticketLabelOf = (repository: RepositoryRef): string => `hubwarden-${repository.key}`;

/** Parses a private ECR repository ARN; `undefined` when it is not one. */
export const parseRepositoryArn = (arn: string): RepositoryRef | undefined => {
  const match = ECR_REPOSITORY_ARN.exec(arn);
  if (!match) return undefined;
  const [, partition, region, accountId, name] = match as unknown as [string, string, string, string, string];
  return { arn, partition, region, accountId, name, key: repositoryKeyOf(arn) };
};
