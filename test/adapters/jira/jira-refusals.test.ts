import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JiraTicketTracker } from '../../../src/adapters/jira/index.js';
import { paragraph, text } from '../../../src/core/document.js';
import { startJiraStandIn, type JiraStandIn } from '../../standins/jira/index.js';
import { CLOUD_AUTH, PAT_AUTH, USERS } from './fixtures.js';

/** A user who exists but lacks the "Assignable User" permission in the project. */
const LEFT_THE_TEAM = {
  accountId: '5b10a2844c20165700edeff0',
  name: 'dora',
  email: 'dora@example.com',
  displayName: 'Dora',
  assignable: false,
};

const newTicket = (assignee: { accountId?: string; userName?: string }) => ({
  summary: 'ECR.2: mutable tags in payments-api',
  description: [paragraph(text('What is wrong'))],
  labels: ['hubwarden', 'hubwarden-abc'],
  assignee: { accountId: assignee.accountId, userName: assignee.userName },
});

const commentText = (body: unknown): string => JSON.stringify(body);

describe('Jira refusals the adapter works around', () => {
  let cloud: JiraStandIn;
  let datacenter: JiraStandIn;

  beforeAll(async () => {
    cloud = await startJiraStandIn({
      deployment: 'cloud',
      projectKey: 'SEC',
      users: [...USERS, LEFT_THE_TEAM],
      auth: CLOUD_AUTH,
    });
    datacenter = await startJiraStandIn({
      deployment: 'datacenter',
      projectKey: 'OPS',
      users: [...USERS, LEFT_THE_TEAM],
      auth: PAT_AUTH,
      resolutionScreens: true,
    });
  });
  afterAll(async () => {
    await Promise.all([cloud.close(), datacenter.close()]);
  });

  const cloudTracker = (siteUrl?: string) =>
    new JiraTicketTracker({
      baseUrl: cloud.url,
      ...(siteUrl ? { siteUrl } : {}),
      deployment: 'cloud',
      auth: CLOUD_AUTH,
      projectKey: 'SEC',
      issueType: 'Task',
    });
  const datacenterTracker = (closeResolution?: string) =>
    new JiraTicketTracker({
      baseUrl: datacenter.url,
      deployment: 'datacenter',
      auth: PAT_AUTH,
      projectKey: 'OPS',
      issueType: 'Task',
      ...(closeResolution ? { closeResolution } : {}),
    });

  it('the stand-in refuses an owner who cannot be assigned, as Jira does', async () => {
    const answer = await fetch(`${cloud.url}/rest/api/3/issue`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${CLOUD_AUTH.email}:${CLOUD_AUTH.apiToken}`).toString('base64')}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({
        fields: {
          project: { key: 'SEC' },
          issuetype: { name: 'Task' },
          summary: 's',
          assignee: { accountId: LEFT_THE_TEAM.accountId },
        },
      }),
    });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({
      errorMessages: [],
      errors: { assignee: `User '${LEFT_THE_TEAM.accountId}' cannot be assigned issues.` },
    });
  });

  it('Cloud: creates the ticket unassigned and names the owner account and the reason in a comment', async () => {
    const ticket = await cloudTracker().create(newTicket({ accountId: LEFT_THE_TEAM.accountId }));
    const issue = cloud.issues.get(ticket.key);
    expect(issue?.assignee).toBeUndefined();
    expect(issue?.labels).toEqual(['hubwarden', 'hubwarden-abc']);
    expect(issue?.comments).toHaveLength(1);
    const comment = commentText(issue?.comments[0]?.body);
    expect(comment).toContain(LEFT_THE_TEAM.accountId);
    expect(comment).toContain('cannot be assigned issues');
    expect(comment).toContain('jiraAccountId');
  });

  it('Cloud: an assignable owner is assigned with no comment', async () => {
    const ticket = await cloudTracker().create(newTicket({ accountId: USERS[0]?.accountId }));
    const issue = cloud.issues.get(ticket.key);
    expect(issue?.assignee?.accountId).toBe(USERS[0]?.accountId);
    expect(issue?.comments).toHaveLength(0);
  });

  it('Data Center: the same with the user name, on create and on a later update', async () => {
    const tracker = datacenterTracker();
    const ticket = await tracker.create(newTicket({ userName: LEFT_THE_TEAM.name }));
    const issue = datacenter.issues.get(ticket.key);
    expect(issue?.assignee).toBeUndefined();
    expect(commentText(issue?.comments[0]?.body)).toMatch(/dora.*cannot be assigned issues.*jiraUser/s);

    await tracker.update(ticket.key, {
      summary: 'new summary',
      assignee: { accountId: undefined, userName: LEFT_THE_TEAM.name },
    });
    expect(issue?.summary).toBe('new summary');
    expect(issue?.assignee).toBeUndefined();
    expect(issue?.comments).toHaveLength(2);
  });

  it('Data Center: a close screen that requires a resolution gets the configured one; reopening needs none', async () => {
    const tracker = datacenterTracker();
    const ticket = await tracker.create(newTicket({ userName: 'alice' }));
    await tracker.transition(ticket.key, 'Done');
    const issue = datacenter.issues.get(ticket.key);
    expect(issue?.status.name).toBe('Done');
    expect(issue?.resolution).toBe('Done');
    await tracker.transition(ticket.key, 'To Do');
    expect(issue?.status.name).toBe('To Do');

    await datacenterTracker("Won't Do").transition(ticket.key, 'Done');
    expect(issue?.resolution).toBe("Won't Do");
  });

  it('the stand-in refuses a close without resolution on such a screen, and a resolution where there is no screen', async () => {
    const ticket = await datacenterTracker().create(newTicket({ userName: 'alice' }));
    const post = (body: unknown) =>
      fetch(`${datacenter.url}/rest/api/2/issue/${ticket.key}/transitions`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${PAT_AUTH.pat}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const listed = (await (
      await fetch(`${datacenter.url}/rest/api/2/issue/${ticket.key}/transitions?expand=transitions.fields`, {
        headers: { Authorization: `Bearer ${PAT_AUTH.pat}` },
      })
    ).json()) as { transitions: { id: string; name: string; fields: Record<string, unknown> }[] };
    const done = listed.transitions.find((t) => t.name === 'Done');
    const toDo = listed.transitions.find((t) => t.name === 'To Do');
    expect(done?.fields.resolution).toMatchObject({ required: true });
    expect(toDo?.fields).toEqual({});

    const bare = await post({ transition: { id: done?.id } });
    expect(bare.status).toBe(400);
    expect(await bare.json()).toEqual({
      errorMessages: [],
      errors: { resolution: 'Resolution is required.' },
    });
    const stray = await post({ transition: { id: toDo?.id }, fields: { resolution: { name: 'Done' } } });
    expect(stray.status).toBe(400);
    expect(await stray.json()).toMatchObject({
      errors: { resolution: expect.stringMatching(/cannot be set/) },
    });
  });

  it('links to the site people open, not the API base of a scoped token', async () => {
    const tracker = cloudTracker('https://acme.atlassian.net/');
    const ticket = await tracker.create(newTicket({ accountId: USERS[0]?.accountId }));
    expect(ticket.url).toBe(`https://acme.atlassian.net/browse/${ticket.key}`);
    const [found] = await tracker.findByLabels(['hubwarden-abc']);
    expect(found?.url).toMatch(/^https:\/\/acme\.atlassian\.net\/browse\/SEC-\d+$/);
  });
});
