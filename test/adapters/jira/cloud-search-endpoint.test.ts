import JiraApi from 'jira-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startJiraStandIn, type JiraStandIn } from '../../standins/jira/index.js';
import { CLOUD_AUTH, USERS } from './fixtures.js';

const authorization = `Basic ${Buffer.from(`${CLOUD_AUTH.email}:${CLOUD_AUTH.apiToken}`).toString('base64')}`;

describe('Jira Cloud search endpoints in the stand-in', () => {
  let standIn: JiraStandIn;
  beforeAll(async () => {
    standIn = await startJiraStandIn({
      deployment: 'cloud',
      projectKey: 'SEC',
      users: USERS,
      auth: CLOUD_AUTH,
    });
  });
  afterAll(() => standIn.close());

  const post = (path: string, body: unknown) =>
    fetch(`${standIn.url}${path}`, {
      method: 'POST',
      headers: { Authorization: authorization, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });

  it.each(['/rest/api/3/search', '/rest/api/2/search'])('%s answers 410 Gone', async (path) => {
    const response = await post(path, { jql: 'project = SEC' });
    expect(response.status).toBe(410);
    expect(await response.json()).toMatchObject({
      errorMessages: [expect.stringContaining('/rest/api/3/search/jql')],
    });
  });

  it("so jira-client's own searchJira fails", async () => {
    const url = new URL(standIn.url);
    const client = new JiraApi({
      protocol: 'http',
      host: url.hostname,
      port: url.port,
      username: CLOUD_AUTH.email,
      password: CLOUD_AUTH.apiToken,
      apiVersion: '3',
    });
    await expect(client.searchJira('project = SEC')).rejects.toThrow();
  });

  it('search/jql returns ids only unless fields are asked for, and refuses unbounded or broken JQL', async () => {
    standIn.seedIssue({ summary: 'one', labels: ['l'] });
    const idsOnly = (await (await post('/rest/api/3/search/jql', { jql: 'project = SEC' })).json()) as {
      issues: unknown[];
      isLast: boolean;
    };
    expect(idsOnly).toEqual({ issues: [{ id: expect.any(String) }], isLast: true });

    const unbounded = await post('/rest/api/3/search/jql', { jql: 'ORDER BY created DESC' });
    expect(unbounded.status).toBe(400);
    for (const jql of [
      'project = SEC OR labels = x',
      'labels = "unterminated',
      'assignee = bob',
      'labels = a-b c',
    ]) {
      const response = await post('/rest/api/3/search/jql', { jql });
      expect(response.status, jql).toBe(400);
      expect(await response.json()).toMatchObject({ errorMessages: [expect.any(String)], errors: {} });
    }
  });

  it('accepts the supported JQL subset', async () => {
    standIn.seedIssue({ summary: 'two', labels: ['m', 'n'], statusName: 'Done' });
    const summaries = async (jql: string) => {
      const answer = (await (await post('/rest/api/3/search/jql', { jql, fields: ['summary'] })).json()) as {
        issues: { fields: { summary: string } }[];
      };
      return answer.issues.map((issue) => issue.fields.summary);
    };
    expect(await summaries('project = SEC AND statusCategory != Done ORDER BY created ASC')).toEqual(['one']);
    expect(await summaries('project = "SEC" AND statusCategory = "Done"')).toEqual(['two']);
    expect(await summaries('project = SEC AND labels in (\'l\', "n") ORDER BY created ASC')).toEqual([
      'one',
      'two',
    ]);
    expect(await summaries('project = SEC and status = "done"')).toEqual(['two']);
    expect(await summaries('key in (SEC-1) AND project = SEC')).toEqual(['one']);
  });

  it('refuses a description that is not ADF, and a string on v3', async () => {
    const create = (description: unknown) =>
      post('/rest/api/3/issue', {
        fields: { project: { key: 'SEC' }, issuetype: { name: 'Task' }, summary: 's', description },
      });
    const bad = [
      'plain string',
      { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: '' }] }] },
      { type: 'doc', version: 1, content: [{ type: 'mention', attrs: { id: 'x' } }] },
      {
        type: 'doc',
        version: 1,
        content: [
          {
            type: 'paragraph',
            content: [{ type: 'text', text: 'x', marks: [{ type: 'strong' }, { type: 'code' }] }],
          },
        ],
      },
    ];
    for (const description of bad) {
      const response = await create(description);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        errorMessages: [],
        errors: { description: expect.any(String) },
      });
    }
  });
});
