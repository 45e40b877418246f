import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { JiraTicketTracker, parseRetryAfter } from '../../../src/adapters/jira/index.js';
import { HubwardenError } from '../../../src/core/errors.js';
import { startJiraStandIn, type JiraStandIn } from '../../standins/jira/index.js';
import { CLOUD_AUTH, PAT_AUTH, USERS, rejectionOf } from './fixtures.js';

const SEARCH = 'POST /rest/api/3/search/jql';

describe('Jira failures are classified at the adapter edge', () => {
  let standIn: JiraStandIn;
  let tracker: JiraTicketTracker;

  beforeAll(async () => {
    standIn = await startJiraStandIn({
      deployment: 'cloud',
      projectKey: 'SEC',
      users: USERS,
      auth: CLOUD_AUTH,
    });
    tracker = new JiraTicketTracker({
      baseUrl: standIn.url,
      deployment: 'cloud',
      auth: CLOUD_AUTH,
      projectKey: 'SEC',
      issueType: 'Task',
      timeoutMs: 200,
    });
  });
  afterEach(() => standIn.reset());
  afterAll(() => standIn.close());

  it('429 with Retry-After seconds is rate-limited with that delay, and a caller that waits is served', async () => {
    standIn.inject({ status: 429, retryAfter: 1, route: SEARCH });
    const error = await rejectionOf(tracker.findByLabels(['a']));
    expect(error).toBeInstanceOf(HubwardenError);
    expect(error).toMatchObject({
      kind: 'rate-limited',
      code: 'jira.rate_limited',
      status: 429,
      retryAfterMs: 1000,
    });

    await new Promise((resolve) => setTimeout(resolve, (error as HubwardenError).retryAfterMs));
    expect(await tracker.findByLabels(['a'])).toEqual([]);
    const [first, second] = standIn.requests.filter((request) => request.route === SEARCH);
    expect(second && first && second.at - first.at).toBeGreaterThanOrEqual(1000);
  });

  it('429 with an HTTP-date Retry-After, or none, still carries a delay', async () => {
    const inTwoMinutes = new Date(Date.now() + 120_000).toUTCString();
    standIn.inject({ status: 429, retryAfter: inTwoMinutes });
    const dated = (await rejectionOf(tracker.get('SEC-1'))) as HubwardenError;
    expect(dated.retryAfterMs).toBeGreaterThan(100_000);
    expect(dated.retryAfterMs).toBeLessThanOrEqual(120_000);

    standIn.inject({ status: 429 });
    expect(await rejectionOf(tracker.get('SEC-1'))).toMatchObject({
      kind: 'rate-limited',
      retryAfterMs: 10_000,
    });
  });

  it('503 and 500 are retryable, on any route', async () => {
    standIn.inject({ status: 503, times: 2 });
    expect(await rejectionOf(tracker.findUserByEmail('alice@example.com'))).toMatchObject({
      kind: 'retryable',
      code: 'jira.unavailable',
      status: 503,
    });
    expect(
      await rejectionOf(tracker.create({ summary: 's', description: [], labels: [], assignee: undefined })),
    ).toMatchObject({
      kind: 'retryable',
      status: 503,
    });
    standIn.inject({ status: 500 });
    expect(await rejectionOf(tracker.myself())).toMatchObject({ kind: 'retryable', status: 500 });
    expect(standIn.issues.size).toBe(0);
  });

  it('a timeout is retryable', async () => {
    standIn.inject({ delayMs: 600 });
    expect(await rejectionOf(tracker.myself())).toMatchObject({ kind: 'retryable', code: 'jira.timeout' });
  });

  it('an unreachable Jira is retryable', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const offline = new JiraTicketTracker({
      baseUrl: `http://127.0.0.1:${port}`,
      deployment: 'cloud',
      auth: CLOUD_AUTH,
      projectKey: 'SEC',
      issueType: 'Task',
    });
    expect(await rejectionOf(offline.myself())).toMatchObject({ kind: 'retryable', code: 'jira.network' });
  });

  it.each([
    ['cloud', { email: CLOUD_AUTH.email, apiToken: 'wrong-secret-token' }],
    ['datacenter', { pat: 'wrong-secret-pat' }],
  ] as const)('bad credentials on %s are permanent and never echoed', async (deployment, auth) => {
    const dc = await startJiraStandIn({
      deployment,
      projectKey: 'SEC',
      users: USERS,
      auth: deployment === 'cloud' ? CLOUD_AUTH : PAT_AUTH,
    });
    try {
      const wrong = new JiraTicketTracker({
        baseUrl: dc.url,
        deployment,
        auth,
        projectKey: 'SEC',
        issueType: 'Task',
      });
      const error = await rejectionOf(wrong.myself());
      expect(error).toMatchObject({
        kind: 'permanent',
        code: 'jira.unauthorized',
        status: 401,
        service: 'jira',
      });
      const everything = `${String(error)} ${JSON.stringify(error)} ${String((error as Error).cause)}`;
      expect(everything).not.toMatch(/wrong-secret|cloud-secret|dc-secret/);
    } finally {
      await dc.close();
    }
  });

  it("400 keeps Jira's error messages", async () => {
    const error = await rejectionOf(
      tracker.create({ summary: 's', description: [], labels: ['has space'], assignee: undefined }),
    );
    expect(error).toMatchObject({ kind: 'permanent', code: 'jira.invalid', status: 400 });
    expect((error as Error).message).toContain("The label 'has space' contains spaces which is invalid.");
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, and ignores garbage', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 00:00:30 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
