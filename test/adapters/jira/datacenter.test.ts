import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JiraTicketTracker, docToWiki } from '../../../src/adapters/jira/index.js';
import { startJiraStandIn, type JiraStandIn } from '../../standins/jira/index.js';
import { PAT_AUTH, USERS, hostileDoc } from './fixtures.js';

describe('Jira Data Center specifics', () => {
  let standIn: JiraStandIn;
  const post = (path: string, body: unknown) =>
    fetch(`${standIn.url}${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${PAT_AUTH.pat}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    standIn = await startJiraStandIn({
      deployment: 'datacenter',
      projectKey: 'OPS',
      users: USERS,
      auth: PAT_AUTH,
    });
  });
  afterAll(() => standIn.close());

  it('stores the wiki rendering of the description and searches with startAt paging on REST v2', async () => {
    const tracker = new JiraTicketTracker({
      baseUrl: `${standIn.url}/`,
      deployment: 'datacenter',
      auth: PAT_AUTH,
      projectKey: 'OPS',
      issueType: 'Bug',
      searchPageSize: 30,
    });
    const ticket = await tracker.create({
      summary: 'repo',
      description: hostileDoc,
      labels: ['dc'],
      assignee: { accountId: USERS[0]?.accountId, userName: undefined },
    });
    const issue = standIn.issues.get(ticket.key);
    expect(issue?.description).toBe(docToWiki(hostileDoc));
    expect(issue?.issueType).toBe('Bug');
    expect(issue?.assignee).toBeUndefined();
    expect(ticket.url).toBe(`${standIn.url}/browse/${ticket.key}`);

    for (let i = 0; i < 70; i += 1) standIn.seedIssue({ summary: `s${i}`, labels: ['dc'] });
    expect(await tracker.findByLabels(['dc'])).toHaveLength(71);
    expect(standIn.calls['POST /rest/api/2/search']).toBe(3);
    expect(Object.keys(standIn.calls).some((route) => route.includes('/rest/api/3/'))).toBe(false);
  });

  it('refuses an ADF description or comment on REST v2, and has no v3 API', async () => {
    const adf = { type: 'doc', version: 1, content: [] };
    const created = await post('/rest/api/2/issue', {
      fields: { project: { key: 'OPS' }, issuetype: { name: 'Task' }, summary: 's', description: adf },
    });
    expect(created.status).toBe(400);
    expect(await created.json()).toMatchObject({ errors: { description: expect.any(String) } });
    const comment = await post('/rest/api/2/issue/OPS-1/comment', { body: adf });
    expect(comment.status).toBe(400);
    expect((await post('/rest/api/3/search/jql', { jql: 'project = OPS' })).status).toBe(404);
  });
});
