import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Agent, type ClientRequest, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';

import { createAwsAdapters } from '../../../src/adapters/aws/create-aws-adapters.js';
import { seedSandbox } from '../../fixtures/seed-sandbox.js';
import { startAwsStandIn } from '../../standins/aws/index.js';
import type { AwsStandIn } from '../../standins/aws/index.js';
import { collect, repositoryRef } from './helpers.js';
import { inMemoryBudgets, type BudgetFactory, type RateLimit } from '../../../src/shared/token-bucket.js';

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

  it('draws Security Hub calls from the budgets of the aggregator account and region, at the configured rates', async () => {
    seedSandbox(standIn, { repositories: 2, findingsPerRepository: 1, seed: 11 });
    const drawn: string[] = [];
    const limits = new Map<string, RateLimit>();
    const shared = inMemoryBudgets();
    const budgets: BudgetFactory = (name, limit) => {
      limits.set(name, limit);
      const budget = shared(name, limit);
      return {
        take: async () => {
          drawn.push(name);
          await budget.take();
        },
        tryTake: (ms) => budget.tryTake(ms),
        pauseFor: (ms) => budget.pauseFor(ms),
      };
    };
    const adapters = createAwsAdapters({
      region: 'eu-west-1',
      budgets,
      securityHubRates: { getFindingsPerSecond: 4, batchUpdatePerSecond: 8 },
    });
    try {
      const pages = await collect(adapters.findingsSource.pages({ controlId: 'ECR.2' }));
      const [first] = pages.flatMap((page) => page.findings) as Array<{ Id: string; ProductArn: string }>;
      await adapters.findingsSource.updateWorkflow({
        findings: [{ id: first?.Id ?? '', productArn: first?.ProductArn ?? '' }],
        workflow: 'NOTIFIED',
        note: 'budget test',
      });
      const getFindings = `securityhub:GetFindings:${standIn.adminAccountId}:eu-west-1`;
      const batchUpdate = `securityhub:BatchUpdateFindings:${standIn.adminAccountId}:eu-west-1`;
      expect(new Set(drawn)).toEqual(new Set([getFindings, batchUpdate]));
      expect(limits.get(getFindings)).toEqual({ perSecond: 4, burst: 7 });
      expect(limits.get(batchUpdate)).toEqual({ perSecond: 8, burst: 23 });
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
