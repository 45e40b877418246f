import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { STSClient } from '@aws-sdk/client-sts';

import { classifyAwsError, regionOf } from './classify-aws-error.js';

export interface CallerIdentity {
  readonly accountId: string;
  readonly arn: string;
  readonly userId: string;
}

/** STS GetCallerIdentity: which principal the base credentials are (for `check-config`). */
export const callerIdentity = async (client: STSClient): Promise<CallerIdentity> => {
  try {
    const output = await client.send(new GetCallerIdentityCommand({}));
    return { accountId: output.Account ?? '', arn: output.Arn ?? '', userId: output.UserId ?? '' };
  } catch (error) {
    const region = await regionOf(client);
    throw classifyAwsError(error, 'sts', 'GetCallerIdentity', region);
  }
};
