import { describe, expect, it } from 'vitest';
import { fakeClock } from '../../support/fake-clock.js';
import { budgetedRequest, rateLimitedRequest } from '../../../src/adapters/jira/rate-limited-request.js';
import { HubwardenError } from '../../../src/core/errors.js';
import { inMemoryBudgets } from '../../../src/shared/token-bucket.js';

describe('rateLimitedRequest', () => {
  it('lets the burst through, then spaces requests at the rate', async () => {
    const clock = fakeClock(0);
    const { slept } = clock;
    const request = rateLimitedRequest(async () => 'ok', { perSecond: 10, burst: 2 }, clock);
    for (let index = 0; index < 4; index += 1) expect(await request({})).toBe('ok');
    expect(slept).toEqual([100, 100]);
  });

  it('holds every caller back for Retry-After when Jira throttles anyway, and rethrows the error', async () => {
    const clock = fakeClock(0);
    const { slept } = clock;
    const throttled = new HubwardenError('slow down', {
      kind: 'rate-limited',
      code: 'jira.rate_limited',
      service: 'jira',
      retryAfterMs: 2_000,
    });
    let calls = 0;
    const request = rateLimitedRequest(
      async () => {
        calls += 1;
        if (calls === 1) throw throttled;
        return 'ok';
      },
      { perSecond: 10, burst: 5 },
      clock,
    );
    await expect(request({})).rejects.toBe(throttled);
    expect(await request({})).toBe('ok');
    expect(slept[0]).toBeGreaterThanOrEqual(2_000);
  });

  it('holds back callers that were already asleep on an earlier reservation when a 429 arrives', async () => {
    // A real clock's sleep: both callers reserve tokens, the first gets a 429 with Retry-After 300 ms
    // while the second sleeps on its reservation; the second may not send before the 300 ms are over.
    const sentAt: number[] = [];
    const started = Date.now();
    let calls = 0;
    const request = rateLimitedRequest(
      async () => {
        sentAt.push(Date.now() - started);
        calls += 1;
        if (calls === 1) {
          throw new HubwardenError('slow down', {
            kind: 'rate-limited',
            code: 'jira.rate_limited',
            service: 'jira',
            retryAfterMs: 300,
          });
        }
        return 'ok';
      },
      { perSecond: 20, burst: 1 },
    );
    const [first, second] = await Promise.allSettled([request({}), request({})]);
    expect(first.status).toBe('rejected');
    expect(second).toEqual({ status: 'fulfilled', value: 'ok' });
    expect(sentAt[1]).toBeGreaterThanOrEqual(295);
  });

  it('pauses the shared budget, so a 429 seen through one request function holds back the others', async () => {
    const clock = fakeClock(0);
    const { slept } = clock;
    const budget = inMemoryBudgets(clock)('jira:example.atlassian.net', { perSecond: 10, burst: 10 });
    const throttling = budgetedRequest(async () => {
      throw new HubwardenError('slow down', {
        kind: 'rate-limited',
        code: 'jira.rate_limited',
        service: 'jira',
        retryAfterMs: 1_500,
      });
    }, budget);
    const other = budgetedRequest(async () => 'ok', budget);
    await expect(throttling({})).rejects.toMatchObject({ code: 'jira.rate_limited' });
    expect(await other({})).toBe('ok');
    expect(slept[0]).toBeGreaterThanOrEqual(1_500);
  });
});
