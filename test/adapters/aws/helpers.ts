import { SecurityHubClient } from '@aws-sdk/client-securityhub';

import type { RepositoryRef } from '../../../src/core/model.js';
import type { AwsStandIn } from '../../standins/aws/index.js';

export { fakeClock, type FakeClock } from '../../support/fake-clock.js';

/** A Security Hub client pointed at the stand-in; one attempt unless told, so errors surface at once. */
export const securityHubClientFor = (standIn: AwsStandIn, maxAttempts = 1): SecurityHubClient =>
  new SecurityHubClient({ ...standIn.clientConfig(), maxAttempts });

export const repositoryRef = (
  accountId: string,
  region: string,
  name: string,
  partition = 'aws',
): RepositoryRef => {
  const arn = `arn:${partition}:ecr:${region}:${accountId}:repository/${name}`;
  return { arn, partition, accountId, region, name, key: `test-${accountId}-${region}-${name}` };
};

/** Collects every page of an async iterable. */
export const collect = async <T>(pages: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const page of pages) out.push(page);
  return out;
};

/** Runs a promise that must reject and returns what it rejected with. */
export const rejectionOf = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
};
