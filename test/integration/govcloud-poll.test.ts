import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createAwsAdapters, type AwsAdapters } from '../../src/adapters/aws/create-aws-adapters.js';
import { repositoryKeyOf } from '../../src/core/repository-ref.js';
import { pollFindings } from '../../src/core/use-cases/poll-findings.js';
import { reconcileRepository } from '../../src/core/use-cases/reconcile-repository.js';
import {
  ecr2Finding,
  otherControlFinding,
  repositoryArn,
  type StandardKey,
} from '../fixtures/ecr2-findings.js';
import { startAwsStandIn, type AwsStandIn } from '../standins/aws/index.js';
import { harness } from '../core/pipeline-harness.js';

/**
 * A Security Hub aggregator in AWS GovCloud (US): no consolidated controls, so every ECR.2 finding is one
 * standard's own, shaped like AWS's per-standard samples, with no `Compliance.SecurityControlId`.
 */
const GOV = { region: 'us-gov-west-1', partition: 'aws-us-gov' } as const;
const POLL = { mode: 'full', overlapMs: 300_000, fullEveryMs: 6 * 3_600_000 } as const;

const perStandard = (accountId: string, repositoryName: string, standard: StandardKey, updatedAt?: string) =>
  ecr2Finding({
    ...GOV,
    accountId,
    repositoryName,
    standard,
    consolidatedControlsView: false,
    ...(updatedAt === undefined ? {} : { updatedAt }),
  });

describe('a GovCloud aggregator with per-standard findings only', () => {
  let standIn: AwsStandIn;
  let aws: AwsAdapters;

  beforeAll(async () => {
    standIn = await startAwsStandIn(GOV);
    const config = standIn.clientConfig(GOV.region);
    aws = createAwsAdapters({
      region: GOV.region,
      credentials: config.credentials,
      clientConfig: { endpoint: config.endpoint },
    });
  });
  afterAll(async () => {
    aws.destroy();
    await standIn.close();
  });

  it('finds its repositories, one per repository across standards, and notes every finding', async () => {
    standIn.securityHub.addFindings([
      perStandard('111111111111', 'payments/api', 'fsbp'),
      perStandard('111111111111', 'payments/api', 'nist-800-53'),
      perStandard('111111111111', 'payments/api', 'control-tower'),
      perStandard('222222222222', 'search/indexer', 'nist-800-53'),
      perStandard('222222222222', 'search/web', 'fsbp'),
      otherControlFinding({ accountId: '222222222222', region: GOV.region, standard: 'fsbp' }),
    ]);
    const h = harness({ start: '2025-01-10T12:00:00.000Z' });
    const deps = { ...h.deps, findingsSource: aws.findingsSource };

    const poll = await pollFindings(deps, POLL, async (due) => due.map((entry) => entry.repositoryKey));
    const keyOf = (accountId: string, name: string) =>
      repositoryKeyOf(repositoryArn(accountId, GOV.region, name, GOV.partition));
    const expected = [
      keyOf('111111111111', 'payments/api'),
      keyOf('222222222222', 'search/indexer'),
      keyOf('222222222222', 'search/web'),
    ].sort();
    expect(poll).toMatchObject({ findings: 5, repositoriesSeen: 3, failingRepositories: 3 });
    expect([...poll.queued].sort()).toEqual(expected);

    const payments = keyOf('111111111111', 'payments/api');
    await reconcileRepository(deps, payments);
    expect(h.tracker.tickets.size).toBe(1);
    const workflows = standIn.securityHub
      .findingsForResource(repositoryArn('111111111111', GOV.region, 'payments/api', GOV.partition))
      .map((finding) => (finding['Workflow'] as { Status: string }).Status);
    expect(workflows).toEqual(['NOTIFIED', 'NOTIFIED', 'NOTIFIED']);
  });

  it('reads only what changed on an incremental poll, through the per-standard selection too', async () => {
    standIn.securityHub.clear();
    standIn.securityHub.addFindings([
      perStandard('111111111111', 'old/service', 'fsbp', '2025-01-01T00:00:00.000Z'),
      perStandard('111111111111', 'new/service', 'fsbp', '2025-01-10T11:00:00.000Z'),
    ]);
    const h = harness({ start: '2025-01-10T12:00:00.000Z' });
    await h.state.setPollCursor({
      updatedAt: '2025-01-05T00:00:00.000Z',
      lastFullAt: '2025-01-10T11:00:00.000Z',
    });
    const deps = { ...h.deps, findingsSource: aws.findingsSource };
    const poll = await pollFindings(deps, { ...POLL, mode: 'incremental' }, async () => undefined);
    expect(poll).toMatchObject({ mode: 'incremental', findings: 1, repositoriesSeen: 1 });
  });
});
