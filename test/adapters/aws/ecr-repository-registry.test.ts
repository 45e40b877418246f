import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { EcrRepositoryRegistry } from '../../../src/adapters/aws/ecr-repository-registry.js';
import { MemberCredentials, memberRoleArnFor } from '../../../src/adapters/aws/member-credentials.js';
import { startAwsStandIn } from '../../standins/aws/index.js';
import type { AwsStandIn } from '../../standins/aws/index.js';
import { rejectionOf, repositoryRef } from './helpers.js';

const TEMPLATE = 'arn:{partition}:iam::{accountId}:role/hubwarden-member';
const A = '222222222222';
const B = '333333333333';

describe('EcrRepositoryRegistry against the ECR and STS stand-ins', () => {
  let standIn: AwsStandIn;
  const registries: EcrRepositoryRegistry[] = [];

  beforeAll(async () => {
    standIn = await startAwsStandIn();
  });
  afterAll(async () => {
    await standIn.close();
  });
  beforeEach(() => {
    standIn.clearFaults();
    for (const accountId of [A, B]) {
      for (const region of ['us-east-1', 'eu-west-1']) {
        standIn.ecr.putRepository({
          accountId,
          region,
          name: 'payments/api',
          tags: { Owner: 'payments', CostCenter: 'cc-1' },
          images: [
            { digest: 'sha256:aaa', tags: ['v1.0.0', 'latest'], pushedAt: '2025-01-02T03:04:05.000Z' },
            { digest: 'sha256:bbb', tags: [], pushedAt: '2025-01-01T00:00:00.000Z' },
          ],
        });
      }
    }
  });
  afterEach(() => {
    for (const registry of registries.splice(0)) registry.destroy();
  });

  const registry = (options: { template?: string; externalId?: string; maxAttempts?: number } = {}) => {
    const config = standIn.clientConfig();
    const created = new EcrRepositoryRegistry({
      credentials: new MemberCredentials({
        ...(options.template === undefined ? {} : { roleArnTemplate: options.template }),
        ...(options.externalId === undefined ? {} : { externalId: options.externalId }),
        baseCredentials: config.credentials,
        stsClientConfig: { region: config.region, endpoint: config.endpoint, maxAttempts: 1 },
      }),
      clientConfig: {
        endpoint: config.endpoint,
        credentials: config.credentials,
        maxAttempts: options.maxAttempts ?? 1,
      },
    });
    registries.push(created);
    return created;
  };

  it('assumes the member role once per account, shared by every region and call', async () => {
    const before = standIn.sts.assumeRoleCalls.length;
    const ecr = registry({ template: TEMPLATE });
    for (const accountId of [A, B]) {
      for (const region of ['us-east-1', 'eu-west-1']) {
        const repository = repositoryRef(accountId, region, 'payments/api');
        expect(await ecr.tags(repository)).toEqual({ Owner: 'payments', CostCenter: 'cc-1' });
        expect(await ecr.readSetting('ECR.2', repository)).toBe('MUTABLE');
        expect(await ecr.images(repository)).toHaveLength(2);
      }
    }
    const calls = standIn.sts.assumeRoleCalls.slice(before);
    expect(calls.map((call) => call.roleArn).sort()).toEqual([
      `arn:aws:iam::${A}:role/hubwarden-member`,
      `arn:aws:iam::${B}:role/hubwarden-member`,
    ]);
    expect(calls.every((call) => call.roleSessionName === 'hubwarden')).toBe(true);
  });

  it('is denied cross-account access when no member role is configured', async () => {
    const error = await rejectionOf(registry().tags(repositoryRef(A, 'us-east-1', 'payments/api')));
    expect(error).toMatchObject({
      kind: 'permanent',
      code: 'ecr.access_denied',
      service: 'ecr',
      status: 403,
    });
  });

  it('uses the base credentials in the administrator account itself', async () => {
    standIn.ecr.putRepository({ accountId: standIn.adminAccountId, region: 'us-east-1', name: 'local' });
    expect(
      await registry().readSetting('ECR.2', repositoryRef(standIn.adminAccountId, 'us-east-1', 'local')),
    ).toBe('MUTABLE');
  });

  it('sends the ExternalId the role requires, and fails for good without it', async () => {
    const roleArn = `arn:aws:iam::${B}:role/hubwarden-guarded`;
    standIn.sts.requireExternalId(roleArn, 'ext-123');
    const template = 'arn:{partition}:iam::{accountId}:role/hubwarden-guarded';
    const repository = repositoryRef(B, 'us-east-1', 'payments/api');
    expect(await registry({ template, externalId: 'ext-123' }).readSetting('ECR.2', repository)).toBe(
      'MUTABLE',
    );
    const error = await rejectionOf(registry({ template }).readSetting('ECR.2', repository));
    expect(error).toMatchObject({ kind: 'permanent', code: 'sts.access_denied', service: 'sts' });
  });

  it('tries AssumeRole again after it failed instead of caching the failure', async () => {
    const ecr = registry({ template: TEMPLATE });
    const repository = repositoryRef(A, 'us-east-1', 'payments/api');
    standIn.inject({ operation: 'sts.AssumeRole', status: 503, code: 'ServiceUnavailable' });
    expect(await rejectionOf(ecr.tags(repository))).toMatchObject({ kind: 'retryable', service: 'sts' });
    expect(await ecr.tags(repository)).toEqual({ Owner: 'payments', CostCenter: 'cc-1' });
  });

  it('makes a repository immutable and reads it back', async () => {
    const ecr = registry({ template: TEMPLATE });
    const repository = repositoryRef(A, 'eu-west-1', 'payments/api');
    await ecr.applyFix('ECR.2', repository);
    expect(await ecr.readSetting('ECR.2', repository)).toBe('IMMUTABLE');
    expect(standIn.ecr.repository(A, 'eu-west-1', 'payments/api')?.imageTagMutability).toBe('IMMUTABLE');
    expect(standIn.ecr.repository(A, 'us-east-1', 'payments/api')?.imageTagMutability).toBe('MUTABLE');
  });

  it('answers undefined for a repository that no longer exists, and a permanent error elsewhere', async () => {
    const ecr = registry({ template: TEMPLATE });
    const gone = repositoryRef(A, 'us-east-1', 'deleted/repo');
    expect(await ecr.readSetting('ECR.2', gone)).toBeUndefined();
    expect(await rejectionOf(ecr.tags(gone))).toMatchObject({
      kind: 'permanent',
      code: 'ecr.repository_not_found',
    });
    expect(await rejectionOf(ecr.applyFix('ECR.2', gone))).toMatchObject({
      code: 'ecr.repository_not_found',
    });
  });

  it('refuses, for good, a control it has no setting for, without calling AWS', async () => {
    const ecr = registry({ template: TEMPLATE });
    const repository = repositoryRef(A, 'us-east-1', 'payments/api');
    const before = { ...standIn.calls };
    for (const call of [ecr.readSetting('ECR.99', repository), ecr.applyFix('ECR.99', repository)]) {
      expect(await rejectionOf(call)).toMatchObject({
        kind: 'permanent',
        code: 'ecr.unsupported_control',
        service: 'ecr',
      });
    }
    expect(standIn.calls).toEqual(before);
  });

  it('reads every page of images with their tags and push times', async () => {
    const images = Array.from({ length: 1205 }, (_, index) => ({
      digest: `sha256:${index.toString(16).padStart(64, '0')}`,
      tags: index % 3 === 0 ? [] : [`build-${index}`],
      pushedAt: new Date(Date.UTC(2025, 0, 1) + index * 60_000).toISOString(),
    }));
    standIn.ecr.putRepository({ accountId: A, region: 'us-east-1', name: 'big/repo', images });
    const before = standIn.calls['ecr.DescribeImages'] ?? 0;
    const read = await registry({ template: TEMPLATE }).images(repositoryRef(A, 'us-east-1', 'big/repo'));
    expect(read).toHaveLength(1205);
    expect((standIn.calls['ecr.DescribeImages'] ?? 0) - before).toBe(2);
    expect(read[1]).toEqual({ digest: images[1]?.digest, tags: ['build-1'], pushedAt: images[1]?.pushedAt });
    expect(read[0]?.tags).toEqual([]);
  });

  it('classifies a denied action, throttling and server errors', async () => {
    const ecr = registry({ template: TEMPLATE });
    const repository = repositoryRef(B, 'us-east-1', 'payments/api');
    standIn.ecr.denyAction(B, 'PutImageTagMutability');
    try {
      expect(await rejectionOf(ecr.applyFix('ECR.2', repository))).toMatchObject({
        kind: 'permanent',
        code: 'ecr.access_denied',
      });
    } finally {
      standIn.ecr.allowAction(B, 'PutImageTagMutability');
    }
    standIn.inject({
      operation: 'ecr.DescribeImages',
      status: 400,
      code: 'ThrottlingException',
      retryAfterSeconds: 3,
    });
    expect(await rejectionOf(ecr.images(repository))).toMatchObject({
      kind: 'rate-limited',
      code: 'ecr.rate_limited',
      retryAfterMs: 3000,
    });
    standIn.inject({ operation: 'ecr.ListTagsForResource', status: 500, code: 'ServerException' });
    expect(await rejectionOf(ecr.tags(repository))).toMatchObject({
      kind: 'retryable',
      code: 'ecr.unavailable',
    });
  });

  it('substitutes partition and account into the role template', () => {
    expect(memberRoleArnFor(TEMPLATE, '123456789012', 'aws-us-gov')).toBe(
      'arn:aws-us-gov:iam::123456789012:role/hubwarden-member',
    );
  });
});
