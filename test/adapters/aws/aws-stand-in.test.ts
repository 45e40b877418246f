import { BatchUpdateFindingsCommand, GetFindingsCommand } from '@aws-sdk/client-securityhub';
import type { AwsSecurityFindingFilters, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { ecr2Finding } from '../../fixtures/ecr2-findings.js';
import { startAwsStandIn } from '../../standins/aws/index.js';
import type { AwsStandIn } from '../../standins/aws/index.js';
import { rejectionOf, securityHubClientFor } from './helpers.js';

/** The stand-in's own behaviour, driven by the unmodified SDK clients. */
describe('AWS stand-in', () => {
  let standIn: AwsStandIn;
  let client: SecurityHubClient;

  beforeAll(async () => {
    standIn = await startAwsStandIn({ now: () => Date.parse('2025-02-10T00:00:00.000Z') });
    client = securityHubClientFor(standIn);
  });
  afterAll(async () => {
    client.destroy();
    await standIn.close();
  });
  beforeEach(() => {
    standIn.securityHub.clear();
    standIn.securityHub.addFindings([
      ecr2Finding({
        accountId: '222222222222',
        region: 'us-east-1',
        repositoryName: 'a',
        updatedAt: '2025-02-09T00:00:00Z',
      }),
      ecr2Finding({
        accountId: '333333333333',
        region: 'us-east-1',
        repositoryName: 'b',
        compliance: 'PASSED',
      }),
      ecr2Finding({
        accountId: '333333333333',
        region: 'eu-west-1',
        repositoryName: 'c',
        recordState: 'ARCHIVED',
      }),
      ecr2Finding({
        accountId: '444444444444',
        region: 'eu-west-1',
        repositoryName: 'd',
        workflow: 'SUPPRESSED',
      }),
    ]);
  });

  const names = async (Filters: AwsSecurityFindingFilters): Promise<string[]> => {
    const output = await client.send(new GetFindingsCommand({ Filters }));
    return (output.Findings ?? []).map((f) => f.Resources?.[0]?.Id?.split('/').pop() ?? '').sort();
  };

  it.each<[string, AwsSecurityFindingFilters, string[]]>([
    [
      'AwsAccountId NOT_EQUALS',
      { AwsAccountId: [{ Value: '333333333333', Comparison: 'NOT_EQUALS' }] },
      ['a', 'd'],
    ],
    [
      'AwsAccountId EQUALS (OR-ed)',
      {
        AwsAccountId: [
          { Value: '222222222222', Comparison: 'EQUALS' },
          { Value: '444444444444', Comparison: 'EQUALS' },
        ],
      },
      ['a', 'd'],
    ],
    ['RecordState', { RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }] }, ['a', 'b', 'd']],
    ['ComplianceStatus', { ComplianceStatus: [{ Value: 'FAILED', Comparison: 'EQUALS' }] }, ['a', 'c', 'd']],
    ['WorkflowStatus', { WorkflowStatus: [{ Value: 'SUPPRESSED', Comparison: 'EQUALS' }] }, ['d']],
    [
      'ResourceType',
      { ResourceType: [{ Value: 'AwsEcrRepository', Comparison: 'EQUALS' }] },
      ['a', 'b', 'c', 'd'],
    ],
    ['UpdatedAt DateRange', { UpdatedAt: [{ DateRange: { Value: 3, Unit: 'DAYS' } }] }, ['a']],
    [
      'UpdatedAt Start and End',
      { UpdatedAt: [{ Start: '2000-01-01T00:00:00Z', End: '2025-02-01T00:00:00Z' }] },
      ['b', 'c', 'd'],
    ],
  ])('filters on %s', async (_label, filters, expected) => {
    expect(await names(filters)).toEqual(expected);
  });

  it('filters ProductFields by key as AWS documents map filters: EQUALS OR-ed, NOT_EQUALS AND-ed', async () => {
    standIn.securityHub.clear();
    const gov = { accountId: '222222222222', region: 'us-gov-west-1', partition: 'aws-us-gov' } as const;
    standIn.securityHub.addFindings([
      ecr2Finding({ ...gov, repositoryName: 'fsbp', standard: 'fsbp', consolidatedControlsView: false }),
      ecr2Finding({
        ...gov,
        repositoryName: 'ct',
        standard: 'control-tower',
        consolidatedControlsView: false,
      }),
      ecr2Finding({ ...gov, repositoryName: 'consolidated' }),
    ]);
    const byControlId = (...filters: { Value: string; Comparison: 'EQUALS' | 'NOT_EQUALS' }[]) =>
      names({ ProductFields: filters.map((filter) => ({ Key: 'ControlId', ...filter })) });
    expect(await byControlId({ Value: 'ECR.2', Comparison: 'EQUALS' })).toEqual(['fsbp']);
    expect(
      await byControlId(
        { Value: 'ECR.2', Comparison: 'EQUALS' },
        { Value: 'CT.ECR.2', Comparison: 'EQUALS' },
      ),
    ).toEqual(['ct', 'fsbp']);
    expect(await byControlId({ Value: 'ECR.2', Comparison: 'NOT_EQUALS' })).toEqual(['consolidated', 'ct']);
    expect(await names({ ComplianceSecurityControlId: [{ Value: 'ECR.2', Comparison: 'EQUALS' }] })).toEqual([
      'consolidated',
    ]);
    const mixed = await rejectionOf(
      byControlId({ Value: 'ECR.2', Comparison: 'EQUALS' }, { Value: 'ECR.3', Comparison: 'NOT_EQUALS' }),
    );
    expect(mixed).toMatchObject({ name: 'InvalidInputException' });
    const keyless = await rejectionOf(
      client.send(
        new GetFindingsCommand({ Filters: { ProductFields: [{ Value: 'ECR.2', Comparison: 'EQUALS' }] } }),
      ),
    );
    expect(keyless).toMatchObject({ name: 'InvalidInputException' });
  });

  it.each<[string, AwsSecurityFindingFilters]>([
    ['a lone Start', { UpdatedAt: [{ Start: '2025-02-01T00:00:00Z' }] }],
    ['a lone End', { UpdatedAt: [{ End: '2025-02-01T00:00:00Z' }] }],
  ])('rejects a DateFilter with %s, as AWS does', async (_label, Filters) => {
    const error = await rejectionOf(client.send(new GetFindingsCommand({ Filters })));
    expect(error).toMatchObject({ name: 'InvalidInputException', $metadata: { httpStatusCode: 400 } });
  });

  it('rejects a NextToken it did not issue', async () => {
    const error = await rejectionOf(client.send(new GetFindingsCommand({ NextToken: 'not-a-token' })));
    expect(error).toMatchObject({ name: 'InvalidInputException', $metadata: { httpStatusCode: 400 } });
  });

  it('rejects MaxResults over 100', async () => {
    const error = await rejectionOf(client.send(new GetFindingsCommand({ MaxResults: 101 })));
    expect(error).toMatchObject({ name: 'InvalidInputException' });
  });

  it('validates BatchUpdateFindings like AWS: at most 100 ids and a note of at most 512 characters', async () => {
    const ids = Array.from({ length: 101 }, (_, i) => ({ Id: `f${i}`, ProductArn: 'p' }));
    const tooMany = await rejectionOf(
      client.send(new BatchUpdateFindingsCommand({ FindingIdentifiers: ids, Workflow: { Status: 'NEW' } })),
    );
    expect(tooMany).toMatchObject({ name: 'InvalidInputException', $metadata: { httpStatusCode: 400 } });
    const longNote = await rejectionOf(
      client.send(
        new BatchUpdateFindingsCommand({
          FindingIdentifiers: [{ Id: 'f', ProductArn: 'p' }],
          Note: { Text: 'x'.repeat(513), UpdatedBy: 'hubwarden' },
        }),
      ),
    );
    expect(longNote).toMatchObject({ name: 'InvalidInputException' });
  });

  it('moves UpdatedAt and resolves the workflow when a repository passes', () => {
    const arn = 'arn:aws:ecr:us-east-1:222222222222:repository/a';
    expect(standIn.securityHub.markRepositoryPassed(arn)).toBe(1);
    const [finding] = standIn.securityHub.findingsForResource(arn);
    expect(finding).toMatchObject({
      UpdatedAt: '2025-02-10T00:00:00.000Z',
      Compliance: { Status: 'PASSED' },
      Workflow: { Status: 'RESOLVED' },
    });
    standIn.securityHub.setCompliance(arn, 'FAILED');
    expect(standIn.securityHub.findingsForResource(arn)[0]).toMatchObject({ Workflow: { Status: 'NEW' } });
  });

  it('fails the next N calls of an operation as injected, then recovers', async () => {
    standIn.inject({
      operation: 'securityhub.GetFindings',
      count: 2,
      status: 503,
      code: 'ServiceUnavailable',
    });
    expect(await rejectionOf(client.send(new GetFindingsCommand({})))).toMatchObject({
      $metadata: { httpStatusCode: 503 },
    });
    expect(await rejectionOf(client.send(new GetFindingsCommand({})))).toMatchObject({
      $metadata: { httpStatusCode: 503 },
    });
    expect((await client.send(new GetFindingsCommand({}))).Findings).toHaveLength(4);
  });

  it('validates the role ARN and hands out keys that name the account', async () => {
    const sts = new STSClient({ ...standIn.clientConfig(), maxAttempts: 1 });
    try {
      const bad = await rejectionOf(
        sts.send(new AssumeRoleCommand({ RoleArn: 'role/x', RoleSessionName: 'hw' })),
      );
      expect(bad).toMatchObject({ name: 'ValidationError', $metadata: { httpStatusCode: 400 } });
      const ok = await sts.send(
        new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::555555555555:role/r', RoleSessionName: 'hubwarden' }),
      );
      expect(ok.Credentials?.AccessKeyId).toMatch(/^ASIA555555555555[0-9A-F]{4}$/);
      expect(ok.AssumedRoleUser?.Arn).toBe('arn:aws:sts::555555555555:assumed-role/r/hubwarden');
      expect(ok.Credentials?.Expiration?.toISOString()).toBe('2025-02-10T01:00:00.000Z');
    } finally {
      sts.destroy();
    }
  });
});
