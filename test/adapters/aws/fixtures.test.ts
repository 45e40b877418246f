import { afterEach, describe, expect, it } from 'vitest';

import { ecr2Finding } from '../../fixtures/ecr2-findings.js';
import { seedSandbox } from '../../fixtures/seed-sandbox.js';
import { startAwsStandIn } from '../../standins/aws/index.js';
import type { AwsStandIn } from '../../standins/aws/index.js';

describe('ECR.2 fixtures', () => {
  const standIns: AwsStandIn[] = [];
  afterEach(async () => {
    await Promise.all(standIns.splice(0).map((s) => s.close()));
  });
  const fresh = async () => {
    const standIn = await startAwsStandIn();
    standIns.push(standIn);
    return standIn;
  };

  it('builds the consolidated control finding as AWS documents it', () => {
    const finding = ecr2Finding({
      accountId: '222222222222',
      region: 'us-east-1',
      repositoryName: 'team/api',
    });
    expect(finding).toMatchObject({
      Id: expect.stringMatching(
        /^arn:aws:securityhub:us-east-1:222222222222:security-control\/ECR\.2\/finding\/[0-9a-f-]{36}$/,
      ),
      ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
      GeneratorId: 'security-control/ECR.2',
      Compliance: {
        Status: 'FAILED',
        SecurityControlId: 'ECR.2',
        AssociatedStandards: [
          { StandardsId: 'standards/aws-foundational-security-best-practices/v/1.0.0' },
          { StandardsId: 'standards/nist-800-53/v/5.0.0' },
        ],
      },
      Resources: [
        {
          Type: 'AwsEcrRepository',
          Id: 'arn:aws:ecr:us-east-1:222222222222:repository/team/api',
          Details: { AwsEcrRepository: { RepositoryName: 'team/api', ImageTagMutability: 'MUTABLE' } },
        },
      ],
      RecordState: 'ACTIVE',
      Workflow: { Status: 'NEW' },
    });
  });

  it('builds one finding per standard when consolidation is off', () => {
    const finding = ecr2Finding({
      accountId: '222222222222',
      region: 'eu-west-1',
      repositoryName: 'team/api',
      standard: 'fsbp',
    });
    expect(finding).toMatchObject({
      GeneratorId: 'aws-foundational-security-best-practices/v/1.0.0/ECR.2',
      Title: 'ECR.2 ECR private repositories should have tag immutability configured',
      ProductFields: {
        ControlId: 'ECR.2',
        StandardsArn: expect.stringContaining('standards/aws-foundational'),
      },
      Compliance: { SecurityControlId: 'ECR.2' },
    });
    expect(String(finding['Id'])).toContain(
      ':subscription/aws-foundational-security-best-practices/v/1.0.0/ECR.2/',
    );
  });

  it('seeds the same sandbox for the same seed', async () => {
    const first = seedSandbox(await fresh(), { repositories: 40, findingsPerRepository: 3, seed: 42 });
    const second = seedSandbox(await fresh(), { repositories: 40, findingsPerRepository: 3, seed: 42 });
    expect(second).toEqual(first);
    const other = seedSandbox(await fresh(), { repositories: 40, findingsPerRepository: 3, seed: 43 });
    expect(other.repositories.map((r) => r.name)).not.toEqual(first.repositories.map((r) => r.name));
  });

  it('seeds 600 repositories x 3 findings over 3 accounts x 2 regions with matching repositories', async () => {
    const standIn = await fresh();
    const seeded = seedSandbox(standIn, {
      repositories: 600,
      findingsPerRepository: 3,
      accounts: ['222222222222', '333333333333', '444444444444'],
      regions: ['us-east-1', 'eu-west-1'],
      otherControlFindings: 50,
    });
    expect(seeded.findings).toBe(1800);
    expect(standIn.securityHub.findings()).toHaveLength(1850);
    expect(standIn.ecr.repositories()).toHaveLength(600);
    const places = new Set(seeded.repositories.map((r) => `${r.accountId}/${r.region}`));
    expect(places.size).toBe(6);
    expect(new Set(seeded.repositories.map((r) => r.arn)).size).toBe(600);
    const images = standIn.ecr.repositories().flatMap((r) => r.images);
    expect(images.some((i) => i.tags.includes('latest'))).toBe(true);
    expect(images.some((i) => i.tags.length === 0)).toBe(true);
    expect(images.some((i) => i.tags.some((t) => /^sha256-[0-9a-f]{64}\.sig$/.test(t)))).toBe(true);
    expect(seeded.repositories.some((r) => Object.values(r.tags).some((v) => v.includes('@')))).toBe(true);
    expect(seeded.repositories.some((r) => Object.keys(r.tags).length === 0)).toBe(true);
  });

  it('seeds 20,000 repositories x 5 findings', async () => {
    const standIn = await fresh();
    const seeded = seedSandbox(standIn, { repositories: 20_000, findingsPerRepository: 5, seed: 3 });
    expect(seeded.findings).toBe(100_000);
    const standards = new Set(
      seeded.repositories[0]?.findingIds.map((f) => f.id.split(':subscription/')[1]?.split('/')[0]),
    );
    expect(standards.size).toBe(5);
  });
});
