import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRepositoryArn, repositoryKeyOf, ticketLabelOf } from '../../src/core/repository-ref.js';

describe('parseRepositoryArn', () => {
  it('splits a private repository ARN, names with slashes included', () => {
    const arn = 'arn:aws:ecr:eu-west-1:111111111111:repository/team/payments-api';
    expect(parseRepositoryArn(arn)).toEqual({
      arn,
      partition: 'aws',
      region: 'eu-west-1',
      accountId: '111111111111',
      name: 'team/payments-api',
      key: repositoryKeyOf(arn),
    });
  });

  it.each([
    ['aws-cn', 'cn-northwest-1'],
    ['aws-us-gov', 'us-gov-east-1'],
    ['aws-iso-b', 'us-isob-east-1'],
    ['aws', 'ap-southeast-2'],
  ])('accepts partition %s in %s', (partition, region) => {
    const ref = parseRepositoryArn(`arn:${partition}:ecr:${region}:123456789012:repository/svc.name_v2`);
    expect(ref).toMatchObject({ partition, region, accountId: '123456789012', name: 'svc.name_v2' });
  });

  it.each([
    'arn:aws:ecr-public::123456789012:repository/public',
    'arn:aws:ecr:eu-west-1:123456789012:repository',
    'arn:aws:ecr:eu-west-1:123456789012:repository/',
    'arn:aws:ecr:eu-west-1:1234567890:repository/x',
    'arn:aws:ecr:eu-west-1:123456789012:repository/Upper',
    'arn:aws:ecr:eu-west-1:123456789012:repository/-leading',
    'arn:aws:ecr::123456789012:repository/x',
    'arn:gcp:ecr:eu-west-1:123456789012:repository/x',
    ' arn:aws:ecr:eu-west-1:123456789012:repository/x',
    'arn:aws:ecr:eu-west-1:123456789012:repository/x\n',
    `arn:aws:ecr:eu-west-1:123456789012:repository/${'a'.repeat(257)}`,
  ])('rejects %j', (arn) => {
    expect(parseRepositoryArn(arn)).toBeUndefined();
  });
});

describe('repository keys and labels', () => {
  it('are stable, distinct per ARN, colon-free and fit a Jira label', () => {
    const arn = 'arn:aws:ecr:eu-west-1:111111111111:repository/a';
    expect(repositoryKeyOf(arn)).toBe(repositoryKeyOf(arn));
    expect(repositoryKeyOf(arn)).toMatch(/^r[0-9a-f]{16}$/);
    expect(repositoryKeyOf(arn)).not.toBe(repositoryKeyOf(arn.replace('eu-west-1', 'eu-west-2')));
    const ref = parseRepositoryArn(arn);
    expect(ref && ticketLabelOf(ref)).toBe(`hubwarden-${repositoryKeyOf(arn)}`);
  });

  it('never contain ":" or whitespace, whatever the ARN', () => {
    fc.assert(
      fc.property(fc.string(), (arn) => {
        expect(repositoryKeyOf(arn)).toMatch(/^r[0-9a-f]{16}$/);
      }),
    );
  });
});
