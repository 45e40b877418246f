import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startJiraStandIn, type JiraStandIn } from './jira/index.js';

const AUTH = { email: 'bench@example.com', apiToken: 'bench-token' };
const authorization = `Basic ${Buffer.from(`${AUTH.email}:${AUTH.apiToken}`).toString('base64')}`;

describe('Jira stand-in rate limit', () => {
  let standIn: JiraStandIn;
  let clock = 0;

  beforeAll(async () => {
    standIn = await startJiraStandIn({
      deployment: 'cloud',
      projectKey: 'SEC',
      auth: AUTH,
      clock: () => clock,
      rateLimit: { perSecond: 2, burst: 3 },
    });
  });
  afterAll(() => standIn.close());

  const myself = () => fetch(`${standIn.url}/rest/api/3/myself`, { headers: { authorization } });

  it('serves the burst, then answers 429 with Retry-After until a token is back', async () => {
    const statuses = [];
    for (let index = 0; index < 4; index += 1) statuses.push((await myself()).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refused = await myself();
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toMatchObject({ errorMessages: ['Rate limit exceeded.'] });
    expect(standIn.throttled['GET /rest/api/3/myself']).toBe(2);

    clock += 500; // one token at 2/s
    expect((await myself()).status).toBe(200);
    expect((await myself()).status).toBe(429);
  });

  it('can be switched off', async () => {
    standIn.setRateLimit(false);
    for (let index = 0; index < 5; index += 1) expect((await myself()).status).toBe(200);
  });
});
