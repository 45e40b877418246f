import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JiraTicketTracker, type JiraDeployment } from '../../../src/adapters/jira/index.js';
import { isHubwardenError } from '../../../src/core/errors.js';
import { paragraph, text } from '../../../src/core/document.js';
import { startJiraStandIn, type JiraStandIn } from '../../standins/jira/index.js';
import { CLOUD_AUTH, EXTRA_TRANSITIONS, PAT_AUTH, USERS, hostileDoc, rejectionOf } from './fixtures.js';

const LAG_MS = 5_000;

describe.each<JiraDeployment>(['cloud', 'datacenter'])('JiraTicketTracker on %s', (deployment) => {
  const cloud = deployment === 'cloud';
  const api = cloud ? '/rest/api/3' : '/rest/api/2';
  const searchRoute = cloud ? `POST ${api}/search/jql` : `POST ${api}/search`;
  let clock = Date.now();
  let standIn: JiraStandIn;
  let tracker: JiraTicketTracker;
  const alice = cloud
    ? { accountId: USERS[0]?.accountId, userName: undefined }
    : { accountId: undefined, userName: USERS[0]?.name };

  beforeAll(async () => {
    standIn = await startJiraStandIn({
      deployment,
      projectKey: 'SEC',
      users: USERS,
      auth: cloud ? CLOUD_AUTH : PAT_AUTH,
      transitions: EXTRA_TRANSITIONS,
      searchLagMs: LAG_MS,
      clock: () => clock,
    });
    tracker = new JiraTicketTracker({
      baseUrl: standIn.url,
      deployment,
      auth: cloud ? CLOUD_AUTH : PAT_AUTH,
      projectKey: 'SEC',
      issueType: 'Task',
    });
  });
  afterAll(() => standIn.close());

  it('creates a ticket that search finds only once the index caught up', async () => {
    const labels = ['hubwarden', `hubwarden-repo-${deployment}-lag`];
    const created = await tracker.create({
      summary: 'ECR repository payments/api\nhas mutable tags',
      description: hostileDoc,
      labels,
      assignee: alice,
    });
    expect(created).toMatchObject({
      summary: 'ECR repository payments/api has mutable tags',
      status: 'open',
      statusName: 'To Do',
      labels,
      url: `${standIn.url}/browse/${created.key}`,
    });
    expect(new Date(created.created).toISOString()).toBe(created.created);
    expect(standIn.issues.get(created.key)?.assignee?.name).toBe('alice');

    // create answers from what it sent (no read-back): Jira's own creation time may differ by a moment
    const asStored = { ...created, created: expect.any(String) as unknown as string };
    expect(await tracker.findByLabels(labels)).toEqual([]);
    expect(await tracker.get(created.key)).toEqual(asStored);
    clock += LAG_MS;
    expect(await tracker.findByLabels(labels)).toEqual([asStored]);
    expect(await tracker.findByLabels([...labels, 'other'])).toEqual([]);
  });

  it('pages through more than 50 search results and never calls the removed search endpoint', async () => {
    const label = `bulk-${deployment}`;
    for (let i = 0; i < 120; i += 1) {
      standIn.seedIssue({ summary: `bulk ${i}`, labels: [label, 'hubwarden'], createdMs: clock + i });
    }
    standIn.seedIssue({ summary: 'done one', labels: [label], statusName: 'Done', createdMs: clock + 500 });
    const before = standIn.calls[searchRoute] ?? 0;

    const found = await tracker.findByLabels([label]);

    expect(found).toHaveLength(121);
    expect(found.map((ticket) => ticket.summary).slice(0, 3)).toEqual(['bulk 0', 'bulk 1', 'bulk 2']);
    expect(found.at(-1)).toMatchObject({ summary: 'done one', status: 'done', statusName: 'Done' });
    expect((standIn.calls[searchRoute] ?? 0) - before).toBe(3);
    const removed = Object.keys(standIn.calls).filter((route) => / \/rest\/api\/\d\/search$/.test(route));
    expect(cloud ? removed : []).toEqual([]);
  });

  it('quotes label values so they cannot change the query', async () => {
    standIn.seedIssue({ summary: 'quoted', labels: ['we"ird\\label'] });
    const found = await tracker.findByLabels(['we"ird\\label']);
    expect(found.map((ticket) => ticket.summary)).toEqual(['quoted']);
    expect(await tracker.findByLabels(['x" OR project = "SEC'])).toEqual([]);
  });

  it('transitions by name, case-insensitively, and does nothing when already there', async () => {
    const ticket = await tracker.create({
      summary: 'transition me',
      description: [],
      labels: [],
      assignee: undefined,
    });
    const postRoute = `POST ${api}/issue/{key}/transitions`;
    const posts = () => standIn.calls[postRoute] ?? 0;
    const start = posts();

    await tracker.transition(ticket.key, 'done');
    expect(standIn.issues.get(ticket.key)?.status.name).toBe('Done');
    await tracker.transition(ticket.key, 'Done');
    await tracker.transition(ticket.key, 'Suppressed');
    expect(posts() - start).toBe(1);

    await tracker.transition(ticket.key, 'To Do');
    expect(await tracker.get(ticket.key)).toMatchObject({ status: 'open', statusName: 'To Do' });
    await tracker.transition(ticket.key, 'SUPPRESSED');
    expect(await tracker.get(ticket.key)).toMatchObject({ status: 'done', statusName: "Won't Do" });
    expect(posts() - start).toBe(3);
  });

  it('refuses an unknown transition naming the available ones', async () => {
    const ticket = await tracker.create({
      summary: 'unknown transition',
      description: [],
      labels: [],
      assignee: undefined,
    });
    const error = await rejectionOf(tracker.transition(ticket.key, 'Frobnicate'));
    expect(error).toMatchObject({ kind: 'permanent', code: 'jira.unknown_transition' });
    expect(String((error as Error).message)).toContain('"Done"');
    expect(String((error as Error).message)).toContain('"Suppressed"');
  });

  it('comments and updates in the deployment format', async () => {
    const ticket = await tracker.create({
      summary: 'update me',
      description: [],
      labels: ['x'],
      assignee: undefined,
    });
    await tracker.comment(ticket.key, [paragraph(text('Fixed by [~alice] *now*'))]);
    await tracker.update(ticket.key, {
      summary: 'updated',
      description: [paragraph(text('new description'))],
      assignee: cloud
        ? { accountId: USERS[1]?.accountId, userName: undefined }
        : { accountId: undefined, userName: 'bob' },
    });
    const issue = standIn.issues.get(ticket.key);
    expect(issue?.summary).toBe('updated');
    expect(issue?.assignee?.name).toBe('bob');
    const comment = issue?.comments[0]?.body;
    if (cloud) {
      expect(comment).toEqual({
        type: 'doc',
        version: 1,
        content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Fixed by [~alice] *now*' }] }],
      });
      expect(issue?.description).toMatchObject({ type: 'doc', content: [{ type: 'paragraph' }] });
    } else {
      expect(comment).toBe('Fixed by &#91;&#126;alice&#93; &#42;now&#42;');
      expect(issue?.description).toBe('new description');
    }
    const puts = standIn.calls[`PUT ${api}/issue/{key}`] ?? 0;
    await tracker.update(ticket.key, {});
    expect(standIn.calls[`PUT ${api}/issue/{key}`] ?? 0).toBe(puts);
  });

  it('creates the ticket unassigned when Jira refuses the assignee, and says so in a comment', async () => {
    const ticket = await tracker.create({
      summary: 'nobody',
      description: [],
      labels: [],
      assignee: { accountId: 'no-such-account', userName: 'no-such-user' },
    });
    const issue = standIn.issues.get(ticket.key);
    expect(issue?.assignee).toBeUndefined();
    expect(issue?.comments).toHaveLength(1);
    expect(JSON.stringify(issue?.comments[0]?.body)).toContain('does not exist');
  });

  it('rejects other invalid fields as a permanent invalid request', async () => {
    const error = await rejectionOf(
      tracker.create({ summary: ' ', description: [], labels: [], assignee: undefined }),
    );
    expect(error).toMatchObject({ kind: 'permanent', code: 'jira.invalid', status: 400 });
    expect(String((error as Error).message)).toContain('summary');
  });

  it('reads a missing ticket as undefined and refuses a malformed key', async () => {
    expect(await tracker.get('SEC-99999')).toBeUndefined();
    const error = await rejectionOf(tracker.get('../myself'));
    expect(isHubwardenError(error) && error.code).toBe('jira.invalid_key');
  });

  it('finds users by e-mail, including addresses with a plus', async () => {
    expect(await tracker.findUserByEmail('ALICE@example.com')).toEqual(alice);
    expect(await tracker.findUserByEmail('bob+sec@example.com')).toEqual(
      cloud
        ? { accountId: USERS[1]?.accountId, userName: undefined }
        : { accountId: undefined, userName: 'bob' },
    );
    expect(await tracker.findUserByEmail('nobody@example.com')).toBeUndefined();
    // Carol hides her address on Cloud: the single hit for the exact query is still hers.
    expect(await tracker.findUserByEmail('carol@example.com')).toEqual(
      cloud
        ? { accountId: USERS[2]?.accountId, userName: undefined }
        : { accountId: undefined, userName: 'carol' },
    );
  });

  it('answers myself for the connection check', async () => {
    const me = await tracker.myself();
    expect(me.displayName).toBeTypeOf('string');
    expect(cloud ? me.accountId : me.userName).toBeTypeOf('string');
  });
});
