import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Agent, type ClientRequest, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';

import { createAwsAdapters } from '../../../src/adapters/aws/create-aws-adapters.js';
import { seedSandbox } from '../../fixtures/seed-sandbox.js';
import { startAwsStandIn } from '../../standins/aws/index.js';
import type { AwsStandIn } from '../../standins/aws/index.js';
import { collect, repositoryRef } from './helpers.js';

/** The factory hard-codes no endpoint: the SDK's own AWS_ENDPOINT_URL_* support must carry it to the stand-in. */
describe('createAwsAdapters with the SDK configured only through the environment', () => {
  let standIn: AwsStandIn;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    standIn = await startAwsStandIn({ region: 'eu-west-1' });
    for (const [key, value] of Object.entries(standIn.env())) {
      saved[key] = process.env[key];
      process.env[key] = value;
    }
  });
  afterAll(async () => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await standIn.close();
  });

  it('answers the caller identity of the base credentials', async () => {
    const adapters = createAwsAdapters({ region: 'eu-west-1' });
    try {
      expect(await adapters.callerIdentity()).toEqual({
        accountId: standIn.adminAccountId,
        arn: `arn:aws:iam::${standIn.adminAccountId}:user/hubwarden`,
        userId: 'AIDAHUBWARDENSTANDIN',
      });
    } finally {
      adapters.destroy();
    }
  });

  it('reads findings from the aggregator and reaches member accounts through the role', async () => {
    const seeded = seedSandbox(standIn, { repositories: 12, findingsPerRepository: 2, seed: 7 });
    const adapters = createAwsAdapters({
      region: 'eu-west-1',
      securityHubRegion: 'eu-west-1',
      memberRoleArn: 'arn:{partition}:iam::{accountId}:role/hubwarden-member',
    });
    try {
      const pages = await collect(adapters.findingsSource.pages({ controlId: 'ECR.2' }));
      expect(pages.flatMap((page) => page.findings)).toHaveLength(24);
      const before = standIn.sts.assumeRoleCalls.length;
      for (const repository of seeded.repositories) {
        const ref = repositoryRef(repository.accountId, repository.region, repository.name);
        expect(await adapters.repositoryRegistry.tags(ref)).toEqual(repository.tags);
      }
      expect(standIn.sts.assumeRoleCalls.length - before).toBe(seeded.accounts.length);
    } finally {
      adapters.destroy();
    }
  });

  it('sends the member-role AssumeRole through the same request handler (a proxy) as every other call', async () => {
    const seeded = seedSandbox(standIn, { repositories: 1, findingsPerRepository: 1, seed: 9 });
    const requests: string[] = [];
    // an agent that records each request it carries, as a proxy's agent would carry them
    const httpAgent = new (class extends Agent {
      // Agent's internal addRequest (untyped in @types/node) is where every request enters the agent
      addRequest(request: ClientRequest, options: RequestOptions): void {
        requests.push(String(request.getHeader('host')));
        (
          Agent.prototype as unknown as { addRequest: (r: ClientRequest, o: RequestOptions) => void }
        ).addRequest.call(this, request, options);
      }
    })();
    const adapters = createAwsAdapters({
      region: 'eu-west-1',
      memberRoleArn: 'arn:{partition}:iam::{accountId}:role/hubwarden-member',
      proxyAgents: { httpAgent, httpsAgent: new HttpsAgent() },
    });
    try {
      const repository = seeded.repositories[0];
      if (!repository) throw new Error('nothing seeded');
      const before = standIn.sts.assumeRoleCalls.length;
      await adapters.repositoryRegistry.tags(
        repositoryRef(repository.accountId, repository.region, repository.name),
      );
      expect(standIn.sts.assumeRoleCalls.length - before).toBe(1);
      // AssumeRole, then ListTagsForResource: both through the agent
      expect(requests).toHaveLength(2);
    } finally {
      adapters.destroy();
      httpAgent.destroy();
    }
  });

  it('fails with a classified STS error when the credentials are unknown', async () => {
    const adapters = createAwsAdapters({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'nope' },
    });
    try {
      await expect(adapters.callerIdentity()).rejects.toMatchObject({
        kind: 'permanent',
        code: 'sts.access_denied',
      });
    } finally {
      adapters.destroy();
    }
  });
});
