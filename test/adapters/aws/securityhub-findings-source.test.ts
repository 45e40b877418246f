import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import {
  partitionOfRegion,
  SecurityHubFindingsSource,
  truncateNote,
} from '../../../src/adapters/aws/securityhub-findings-source.js';
import { HubwardenError } from '../../../src/core/errors.js';
import type { RawFindingsPage } from '../../../src/core/ports/findings-source.js';
import { ecr2Finding, otherControlFinding } from '../../fixtures/ecr2-findings.js';
import { startAwsStandIn } from '../../standins/aws/index.js';
import type { AwsStandIn } from '../../standins/aws/index.js';
import { collect, fakeClock, rejectionOf, securityHubClientFor } from './helpers.js';

const ids = (pages: RawFindingsPage[]): string[] =>
  pages.flatMap((page) => page.findings.map((f) => String((f as { Id?: string }).Id)));

const failing = (count: number, accountId = '222222222222', updatedAt?: string) =>
  Array.from({ length: count }, (_, index) =>
    ecr2Finding({
      accountId,
      region: index % 2 === 0 ? 'us-east-1' : 'eu-west-1',
      repositoryName: `team/service-${index}`,
      ...(updatedAt === undefined ? {} : { updatedAt }),
    }),
  );

describe('SecurityHubFindingsSource against the Security Hub stand-in', () => {
  let standIn: AwsStandIn;
  beforeAll(async () => {
    standIn = await startAwsStandIn();
  });
  afterAll(async () => {
    await standIn.close();
  });
  beforeEach(() => {
    standIn.securityHub.clear();
    standIn.clearFaults();
    standIn.setRateLimits(false);
  });
  afterEach(() => {
    standIn.setRateLimits(false);
  });

  const source = (maxAttempts = 1) =>
    new SecurityHubFindingsSource({ client: securityHubClientFor(standIn, maxAttempts), clock: fakeClock() });

  it('pages through more than 100 findings with MaxResults 100 and NextToken', async () => {
    standIn.securityHub.addFindings(failing(250));
    const before = standIn.calls['securityhub.GetFindings'] ?? 0;
    const pages = await collect(source().pages({ controlId: 'ECR.2' }));
    expect(pages.map((page) => page.findings.length)).toEqual([100, 100, 50]);
    expect(new Set(ids(pages)).size).toBe(250);
    expect((standIn.calls['securityhub.GetFindings'] ?? 0) - before).toBe(3);
  });

  it('returns only the requested control, in both consolidated and per-standard shapes', async () => {
    standIn.securityHub.addFindings([
      ecr2Finding({ accountId: '222222222222', region: 'us-east-1', repositoryName: 'a' }),
      ecr2Finding({ accountId: '222222222222', region: 'us-east-1', repositoryName: 'b', standard: 'fsbp' }),
      ecr2Finding({
        accountId: '222222222222',
        region: 'us-east-1',
        repositoryName: 'b',
        standard: 'nist-800-53',
      }),
      otherControlFinding({ accountId: '222222222222', region: 'us-east-1', repositoryName: 'a' }),
      otherControlFinding({ accountId: '333333333333', region: 'us-east-1', controlId: 'S3.1' }),
    ]);
    const pages = await collect(source().pages({ controlId: 'ECR.2' }));
    const findings = pages.flatMap((page) => page.findings) as {
      GeneratorId?: string;
      Compliance?: { SecurityControlId?: string };
    }[];
    expect(findings).toHaveLength(3);
    expect(findings.every((f) => f.Compliance?.SecurityControlId === 'ECR.2')).toBe(true);
    expect(findings.map((f) => f.GeneratorId).sort()).toEqual([
      'aws-foundational-security-best-practices/v/1.0.0/ECR.2',
      'nist-800-53/v/5.0.0/ECR.2',
      'security-control/ECR.2',
    ]);
  });

  it('filters on UpdatedAt when updatedSince is given', async () => {
    standIn.securityHub.addFindings([
      ...failing(3, '222222222222', '2025-01-01T00:00:00.000Z'),
      ...failing(2, '333333333333', '2025-03-01T00:00:00.000Z'),
    ]);
    const pages = await collect(
      source().pages({ controlId: 'ECR.2', updatedSince: new Date('2025-02-01T00:00:00Z') }),
    );
    const accounts = pages.flatMap((page) =>
      page.findings.map((f) => (f as { AwsAccountId?: string }).AwsAccountId),
    );
    expect(accounts).toEqual(['333333333333', '333333333333']);
  });

  it('reads one repository with a ResourceId filter, every standard of it, and nothing else', async () => {
    const one = { accountId: '222222222222', region: 'us-east-1', repositoryName: 'team/one' };
    standIn.securityHub.addFindings([
      ecr2Finding(one),
      ecr2Finding({ ...one, standard: 'nist-800-53' }),
      ecr2Finding({ ...one, repositoryName: 'team/one-more' }),
      ecr2Finding({ ...one, accountId: '333333333333' }),
      otherControlFinding(one),
    ]);
    const arn = 'arn:aws:ecr:us-east-1:222222222222:repository/team/one';
    const pages = await collect(source().pages({ controlId: 'ECR.2', resourceArn: arn }));
    const resources = pages.flatMap((page) =>
      page.findings.map((f) => (f as { Resources?: { Id?: string }[] }).Resources?.[0]?.Id),
    );
    expect(resources).toEqual([arn, arn]);
  });

  it('sends Start with a fixed far-future End, the same on every page, so NextToken stays valid', async () => {
    standIn.securityHub.addFindings([
      ...failing(2, '222222222222', '2025-01-01T00:00:00.000Z'),
      ...failing(230, '333333333333', '2025-03-01T00:00:00.000Z'),
    ]);
    const client = securityHubClientFor(standIn, 1);
    const sent: unknown[] = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        sent.push(structuredClone((args.input as { Filters?: unknown }).Filters));
        return next(args);
      },
      { step: 'initialize' },
    );
    const since = new Date('2025-02-01T00:00:00Z');
    const pages = await collect(
      new SecurityHubFindingsSource({ client, clock: fakeClock() }).pages({
        controlId: 'ECR.2',
        updatedSince: since,
      }),
    );
    expect(pages.map((page) => page.findings.length)).toEqual([100, 100, 30]);
    expect(sent).toHaveLength(3);
    for (const filters of sent) {
      expect(filters).toMatchObject({
        UpdatedAt: [{ Start: '2025-02-01T00:00:00.000Z', End: '2999-12-31T23:59:59.999Z' }],
      });
    }
    client.destroy();
  });

  it('in a partition without consolidated controls, also selects per-standard findings, each once', async () => {
    const gov = { accountId: '222222222222', region: 'us-gov-west-1', partition: 'aws-us-gov' } as const;
    const perStandard = { ...gov, consolidatedControlsView: false } as const;
    standIn.securityHub.addFindings([
      ecr2Finding({ ...perStandard, repositoryName: 'a', standard: 'fsbp' }),
      ecr2Finding({ ...perStandard, repositoryName: 'a', standard: 'nist-800-53' }),
      ecr2Finding({ ...perStandard, repositoryName: 'b', standard: 'control-tower' }),
      ...Array.from({ length: 120 }, (_, index) =>
        ecr2Finding({ ...perStandard, repositoryName: `bulk-${index}`, standard: 'fsbp' }),
      ),
      // a finding with a SecurityControlId matches both selections and must come once
      ecr2Finding({ ...gov, repositoryName: 'c', standard: 'fsbp' }),
      otherControlFinding({ ...gov, standard: 'fsbp' }),
    ]);
    const govSource = new SecurityHubFindingsSource({
      client: securityHubClientFor(standIn),
      clock: fakeClock(),
      perStandardFindings: true,
    });
    const found = ids(await collect(govSource.pages({ controlId: 'ECR.2' })));
    expect(found).toHaveLength(124);
    expect(new Set(found).size).toBe(124);
    expect(found.filter((id) => id.includes('/ECR.3/'))).toEqual([]);

    const commercial = ids(await collect(source().pages({ controlId: 'ECR.2' })));
    expect(commercial).toHaveLength(1);
  });

  it('turns the per-standard selection on from the Security Hub region', () => {
    expect(partitionOfRegion('us-gov-west-1')).toBe('aws-us-gov');
    expect(partitionOfRegion('cn-northwest-1')).toBe('aws-cn');
    expect(partitionOfRegion('eu-west-1')).toBe('aws');
  });

  it('yields one empty page when nothing matches', async () => {
    const pages = await collect(source().pages({ controlId: 'ECR.2' }));
    expect(pages).toEqual([{ findings: [] }]);
  });

  it('updates workflow and note, leaves UpdatedAt alone, and reports unknown findings as unprocessed', async () => {
    const [finding] = failing(1);
    standIn.securityHub.addFindings([finding ?? {}]);
    const id = String(finding?.['Id']);
    const productArn = String(finding?.['ProductArn']);
    const updatedAtBefore = standIn.securityHub.finding(id)?.['UpdatedAt'];
    const result = await source().updateWorkflow({
      findings: [
        { id, productArn },
        {
          id: 'arn:aws:securityhub:us-east-1:222222222222:security-control/ECR.2/finding/missing',
          productArn,
        },
      ],
      workflow: 'NOTIFIED',
      note: 'Ticket SEC-42 opened for payments',
    });
    expect(result.processed).toEqual([{ id, productArn }]);
    expect(result.unprocessed).toEqual([
      expect.objectContaining({ productArn, errorCode: 'FindingNotFound', permanent: true }),
    ]);
    const stored = standIn.securityHub.finding(id);
    expect(stored?.['Workflow']).toEqual({ Status: 'NOTIFIED' });
    expect(stored?.['Note']).toMatchObject({
      Text: 'Ticket SEC-42 opened for payments',
      UpdatedBy: 'hubwarden',
    });
    expect(stored?.['UpdatedAt']).toBe(updatedAtBefore);
  });

  it('marks an update Security Hub can never apply (finding over 240 KB) as permanent', async () => {
    const [finding] = failing(1);
    const huge = { ...finding, Description: 'x'.repeat(245 * 1024) };
    standIn.securityHub.addFindings([huge]);
    const id = String(finding?.['Id']);
    const productArn = String(finding?.['ProductArn']);
    const result = await source().updateWorkflow({
      findings: [{ id, productArn }],
      workflow: 'NOTIFIED',
      note: 'Ticket SEC-42 opened for payments',
    });
    expect(result.processed).toEqual([]);
    expect(result.unprocessed).toEqual([
      { id, productArn, errorCode: 'FindingSizeExceeded', errorMessage: expect.any(String), permanent: true },
    ]);
    expect(standIn.securityHub.finding(id)?.['Workflow']).toEqual({ Status: 'NEW' });
  });

  it('truncates a long note to 512 characters instead of failing', async () => {
    const [finding] = failing(1);
    standIn.securityHub.addFindings([finding ?? {}]);
    const id = String(finding?.['Id']);
    await source().updateWorkflow({
      findings: [{ id, productArn: String(finding?.['ProductArn']) }],
      workflow: 'SUPPRESSED',
      note: `Suppressed by U0ALICE: ${'x'.repeat(900)}`,
    });
    const text = (standIn.securityHub.finding(id)?.['Note'] as { Text: string }).Text;
    expect(text).toHaveLength(512);
    expect(text.endsWith('…')).toBe(true);
  });

  it('rejects more than 100 findings in one update without calling AWS', async () => {
    const before = standIn.calls['securityhub.BatchUpdateFindings'] ?? 0;
    const findings = Array.from({ length: 101 }, (_, i) => ({ id: `f-${i}`, productArn: 'p' }));
    const error = await rejectionOf(source().updateWorkflow({ findings, workflow: 'NEW', note: 'n' }));
    expect(error).toBeInstanceOf(HubwardenError);
    expect(error).toMatchObject({ kind: 'permanent', code: 'securityhub.too_many_findings' });
    expect(standIn.calls['securityhub.BatchUpdateFindings'] ?? 0).toBe(before);
  });

  it('accepts exactly 100 findings in one call', async () => {
    const findings = failing(100);
    standIn.securityHub.addFindings(findings);
    const result = await source().updateWorkflow({
      findings: findings.map((f) => ({ id: String(f['Id']), productArn: String(f['ProductArn']) })),
      workflow: 'NOTIFIED',
      note: 'bulk',
    });
    expect(result.processed).toHaveLength(100);
  });

  it('classifies throttling as rate-limited with the Retry-After delay', async () => {
    standIn.inject({
      operation: 'securityhub.GetFindings',
      status: 429,
      code: 'TooManyRequestsException',
      retryAfterSeconds: 7,
    });
    const error = await rejectionOf(collect(source().pages({ controlId: 'ECR.2' })));
    expect(error).toMatchObject({
      kind: 'rate-limited',
      code: 'securityhub.rate_limited',
      retryAfterMs: 7000,
      status: 429,
    });
  });

  it.each([
    [500, 'InternalException', 'retryable', 'securityhub.unavailable'],
    [503, 'ServiceUnavailable', 'retryable', 'securityhub.unavailable'],
    [403, 'AccessDeniedException', 'permanent', 'securityhub.access_denied'],
    [401, 'InvalidAccessException', 'permanent', 'securityhub.access_denied'],
    [400, 'InvalidInputException', 'permanent', 'securityhub.invalid_input'],
    [429, 'LimitExceededException', 'rate-limited', 'securityhub.rate_limited'],
  ])('classifies HTTP %i %s as %s', async (status, code, kind, hubwardenCode) => {
    standIn.inject({ operation: 'securityhub.BatchUpdateFindings', status, code });
    const error = await rejectionOf(
      source().updateWorkflow({ findings: [{ id: 'x', productArn: 'p' }], workflow: 'NEW', note: 'n' }),
    );
    expect(error).toMatchObject({ kind, code: hubwardenCode, service: 'securityhub', status });
    expect((error as HubwardenError).cause).toBeDefined();
  });

  it('lets the SDK retry a transient 503 once within its modest budget', async () => {
    standIn.securityHub.addFindings(failing(1));
    standIn.inject({ operation: 'securityhub.GetFindings', status: 503, code: 'ServiceUnavailable' });
    const pages = await collect(source(3).pages({ controlId: 'ECR.2' }));
    expect(ids(pages)).toHaveLength(1);
  });

  it('classifies a refused connection as retryable', async () => {
    const closed = await startAwsStandIn();
    await closed.close();
    const error = await rejectionOf(
      collect(
        new SecurityHubFindingsSource({ client: securityHubClientFor(closed) }).pages({ controlId: 'ECR.2' }),
      ),
    );
    expect(error).toMatchObject({ kind: 'retryable', code: 'securityhub.network' });
  });
});

describe('client-side rate limits keep hubwarden inside Security Hub quotas', () => {
  it('pages a little under 3/s with a burst under 6 and is never throttled', async () => {
    const clock = fakeClock();
    const standIn = await startAwsStandIn({ rateLimits: true, now: clock.now });
    try {
      standIn.securityHub.addFindings(failing(120));
      const findingsSource = new SecurityHubFindingsSource({
        client: securityHubClientFor(standIn),
        clock,
        pageSize: 10,
      });
      const start = clock.now();
      const pages = await collect(findingsSource.pages({ controlId: 'ECR.2' }));
      expect(pages).toHaveLength(12);
      expect(standIn.totalThrottled()).toBe(0);
      // 5 from the burst, then 7 more at 2.85/s (≈ 2.46 s): never faster than AWS's 3/s after its burst of 6
      expect(clock.now() - start).toBeGreaterThanOrEqual(2000);
      expect(clock.now() - start).toBeLessThan(2600);
    } finally {
      await standIn.close();
    }
  });

  it('sends BatchUpdateFindings a little under 10/s with a burst under 30 and is never throttled', async () => {
    const clock = fakeClock();
    const standIn = await startAwsStandIn({ rateLimits: true, now: clock.now });
    try {
      const findingsSource = new SecurityHubFindingsSource({ client: securityHubClientFor(standIn), clock });
      for (let call = 0; call < 40; call += 1) {
        await findingsSource.updateWorkflow({
          findings: [{ id: `f${call}`, productArn: 'p' }],
          workflow: 'NEW',
          note: 'n',
        });
      }
      expect(standIn.calls['securityhub.BatchUpdateFindings']).toBe(40);
      expect(standIn.totalThrottled()).toBe(0);
      // 28 from the burst, then 12 that each wait for a token
      expect(clock.slept.length).toBe(12);
    } finally {
      await standIn.close();
    }
  });

  it('is what prevents throttling: without it the stand-in answers 429', async () => {
    const clock = fakeClock();
    const standIn = await startAwsStandIn({ rateLimits: true, now: clock.now });
    try {
      standIn.securityHub.addFindings(failing(120));
      const unlimited = new SecurityHubFindingsSource({
        client: securityHubClientFor(standIn),
        clock,
        pageSize: 10,
        getFindingsRate: { perSecond: 1000, burst: 1000 },
      });
      const error = await rejectionOf(collect(unlimited.pages({ controlId: 'ECR.2' })));
      expect(error).toMatchObject({ kind: 'rate-limited', code: 'securityhub.rate_limited' });
      expect(standIn.throttled['securityhub.GetFindings']).toBe(1);
    } finally {
      await standIn.close();
    }
  });
});

describe('truncateNote', () => {
  it('keeps short notes and never splits a surrogate pair', () => {
    expect(truncateNote('short')).toBe('short');
    const emoji = `${'a'.repeat(510)}😀😀`;
    const cut = truncateNote(emoji);
    expect(cut.length).toBeLessThanOrEqual(512);
    expect(cut).toBe(`${'a'.repeat(510)}…`);
  });
});
