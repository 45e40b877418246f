import { describe, expect, it } from 'vitest';

import { classifyAwsError, retryAfterMsOf } from '../../../src/adapters/aws/classify-aws-error.js';
import { TokenBucket } from '../../../src/shared/token-bucket.js';
import { HubwardenError } from '../../../src/core/errors.js';
import { fakeClock } from './helpers.js';

/** An SDK-shaped exception: name, $metadata and the raw response the SDK attaches. */
const sdkError = (name: string, status?: number, headers: Record<string, string> = {}) =>
  Object.assign(new Error('some message that must not matter'), {
    name,
    ...(status === undefined ? {} : { $metadata: { httpStatusCode: status } }),
    $response: { statusCode: status, headers },
  });

describe('classifyAwsError', () => {
  it.each([
    ['TooManyRequestsException', 429, 'rate-limited', 'securityhub.rate_limited'],
    ['ThrottlingException', 400, 'rate-limited', 'securityhub.rate_limited'],
    ['SomethingNew', 429, 'rate-limited', 'securityhub.rate_limited'],
    ['AccessDeniedException', 403, 'permanent', 'securityhub.access_denied'],
    ['SomethingForbidden', 403, 'permanent', 'securityhub.access_denied'],
    ['InvalidInputException', 400, 'permanent', 'securityhub.invalid_input'],
    ['ResourceNotFoundException', 404, 'permanent', 'securityhub.not_found'],
    ['SomethingElse', 409, 'permanent', 'securityhub.client_error'],
    ['InternalException', 500, 'retryable', 'securityhub.unavailable'],
    ['ServiceUnavailable', 503, 'retryable', 'securityhub.unavailable'],
    ['TimeoutError', undefined, 'retryable', 'securityhub.timeout'],
    ['Error', undefined, 'retryable', 'securityhub.network'],
    ['CredentialsProviderError', undefined, 'permanent', 'securityhub.no_credentials'],
  ])('%s (HTTP %s) is %s', (name, status, kind, code) => {
    const error = classifyAwsError(sdkError(name, status), 'securityhub', 'GetFindings');
    expect(error).toMatchObject({ kind, code, service: 'securityhub', status });
    expect(error.cause).toBeDefined();
  });

  it('says what was called, where, and why: AWS’s own message, or the system error without an answer', () => {
    const denied = Object.assign(new Error('User: arn:aws:iam::111111111111:user/x is not authorized'), {
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400 },
    });
    expect(classifyAwsError(denied, 'ecr', 'DescribeImages', '111111111111/eu-west-1').message).toBe(
      'ecr DescribeImages in 111111111111/eu-west-1 failed: AccessDeniedException (HTTP 400): User: arn:aws:iam::111111111111:user/x is not authorized',
    );
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:443'), {
      code: 'ECONNREFUSED',
      $metadata: { attempts: 3 },
    });
    expect(classifyAwsError(refused, 'sts', 'GetCallerIdentity', 'eu-west-1').message).toBe(
      'sts GetCallerIdentity in eu-west-1 failed: ECONNREFUSED (connect ECONNREFUSED 10.0.0.5:443)',
    );
  });

  it('names RepositoryNotFound for ECR', () => {
    expect(
      classifyAwsError(sdkError('RepositoryNotFoundException', 400), 'ecr', 'DescribeRepositories'),
    ).toMatchObject({ kind: 'permanent', code: 'ecr.repository_not_found' });
  });

  it('passes an already classified error through', () => {
    const original = new HubwardenError('x', {
      kind: 'permanent',
      code: 'sts.access_denied',
      service: 'sts',
    });
    expect(classifyAwsError(original, 'ecr', 'ListTagsForResource')).toBe(original);
  });

  it('reads Retry-After as seconds or as an HTTP date, with a default for throttling', () => {
    expect(retryAfterMsOf(sdkError('x', 429, { 'Retry-After': '2.5' }))).toBe(2500);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterMsOf(sdkError('x', 429, { 'retry-after': 'Wed, 01 Jan 2025 00:00:10 GMT' }), now)).toBe(
      10_000,
    );
    expect(retryAfterMsOf(sdkError('x', 429, { 'retry-after': 'soon' }))).toBeUndefined();
    expect(classifyAwsError(sdkError('ThrottlingException', 400), 'ecr', 'DescribeImages').retryAfterMs).toBe(
      1000,
    );
  });
});

describe('TokenBucket', () => {
  it('lets a burst through, then spaces calls at the rate', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ perSecond: 2, burst: 3 }, clock);
    for (let call = 0; call < 5; call += 1) await bucket.take();
    expect(clock.slept).toEqual([500, 500]);
  });

  it('refills while idle, up to the burst', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ perSecond: 1, burst: 2 }, clock);
    await bucket.take();
    await bucket.take();
    clock.advance(10_000);
    await bucket.take();
    await bucket.take();
    await bucket.take();
    expect(clock.slept).toEqual([1000]);
  });

  it('queues concurrent callers in order', async () => {
    // time stands still while all three ask at once
    const slept: number[] = [];
    const bucket = new TokenBucket(
      { perSecond: 4, burst: 1 },
      { now: () => 0, sleep: async (ms) => void slept.push(ms) },
    );
    await Promise.all([bucket.take(), bucket.take(), bucket.take()]);
    expect(slept).toEqual([250, 500]);
  });

  it('holds callers back after the provider throttled anyway', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ perSecond: 10, burst: 30 }, clock);
    bucket.backOff(2000);
    await bucket.take();
    expect(clock.slept).toEqual([2100]);
  });
});
