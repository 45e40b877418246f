import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JiraPreflight, JiraTicketTracker } from '../../../src/adapters/jira/index.js';
import { startJiraStandIn, type JiraStandIn } from '../../standins/jira/index.js';
import { CLOUD_AUTH, PAT_AUTH, USERS, rejectionOf } from './fixtures.js';

const TEAM = { id: 'customfield_10010', name: 'Team' };

describe('the project as Jira describes it (createmeta, mypermissions) and the create it then expects', () => {
  let cloud: JiraStandIn;
  let datacenter: JiraStandIn;

  beforeAll(async () => {
    const strict = { users: USERS, requiredFields: [TEAM], missingPermissions: ['ASSIGN_ISSUES'] };
    cloud = await startJiraStandIn({ deployment: 'cloud', projectKey: 'SEC', auth: CLOUD_AUTH, ...strict });
    datacenter = await startJiraStandIn({
      deployment: 'datacenter',
      projectKey: 'OPS',
      auth: PAT_AUTH,
      ...strict,
    });
  });
  afterAll(async () => {
    await Promise.all([cloud.close(), datacenter.close()]);
  });

  const get = async (standIn: JiraStandIn, path: string, authorization: string) => {
    const answer = await fetch(`${standIn.url}${path}`, { headers: { Authorization: authorization } });
    return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
  };
  const basic = `Basic ${Buffer.from(`${CLOUD_AUTH.email}:${CLOUD_AUTH.apiToken}`).toString('base64')}`;

  it('Cloud pages name their lists (issueTypes, fields); Data Center pages use values', async () => {
    const types = await get(cloud, '/rest/api/3/issue/createmeta/SEC/issuetypes', basic);
    expect(types.body).toMatchObject({
      startAt: 0,
      total: 3,
      issueTypes: [{ id: '10001', name: 'Task' }, {}, {}],
    });
    const fields = await get(cloud, '/rest/api/3/issue/createmeta/SEC/issuetypes/10001', basic);
    expect(fields.body.fields).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          fieldId: 'customfield_10010',
          name: 'Team',
          required: true,
          hasDefaultValue: false,
        }),
        expect.objectContaining({ fieldId: 'reporter', required: true, hasDefaultValue: true }),
      ]),
    );
    const dc = await get(
      datacenter,
      '/rest/api/2/issue/createmeta/OPS/issuetypes/10001',
      `Bearer ${PAT_AUTH.pat}`,
    );
    expect(dc.body).toMatchObject({ isLast: true, values: expect.any(Array) });
    expect(dc.body.fields).toBeUndefined();

    const missing = await get(cloud, '/rest/api/3/project/NOPE', basic);
    expect(missing).toEqual({
      status: 404,
      body: { errorMessages: ["No project could be found with key 'NOPE'."], errors: {} },
    });
  });

  it('mypermissions answers havePermission per key, and Cloud requires the list', async () => {
    const answer = await get(
      cloud,
      '/rest/api/3/mypermissions?projectKey=SEC&permissions=CREATE_ISSUES,ASSIGN_ISSUES',
      basic,
    );
    expect(answer.body).toEqual({
      permissions: {
        CREATE_ISSUES: expect.objectContaining({
          key: 'CREATE_ISSUES',
          type: 'PROJECT',
          havePermission: true,
        }),
        ASSIGN_ISSUES: expect.objectContaining({ key: 'ASSIGN_ISSUES', havePermission: false }),
      },
    });
    expect((await get(cloud, '/rest/api/3/mypermissions?projectKey=SEC', basic)).status).toBe(400);
  });

  it('JiraPreflight reads both deployments the same way', async () => {
    for (const [standIn, deployment, auth, projectKey] of [
      [cloud, 'cloud', CLOUD_AUTH, 'SEC'],
      [datacenter, 'datacenter', PAT_AUTH, 'OPS'],
    ] as const) {
      const preflight = new JiraPreflight({ baseUrl: standIn.url, deployment, auth, projectKey });
      const project = await preflight.project();
      expect(project.issueTypes.map((type) => type.name)).toEqual(['Task', 'Bug', 'Story']);
      const screen = await preflight.createScreen('10001');
      expect(
        screen.filter((field) => field.required && !field.hasDefaultValue).map((field) => field.fieldId),
      ).toEqual(['summary', 'issuetype', 'project', 'customfield_10010']);
      expect(await preflight.permissions(['BROWSE_PROJECTS', 'ASSIGN_ISSUES'])).toEqual({
        BROWSE_PROJECTS: true,
        ASSIGN_ISSUES: false,
      });
      standIn.seedIssue({ summary: 'bug', statusName: 'Done', issueType: 'Bug' });
      const done = await preflight.transitionsFrom('Task', 'Done');
      expect(done.issues).toEqual([]);
      const bugs = await preflight.transitionsFrom('Bug', 'Done');
      expect(bugs.names).toEqual(['To Do', 'In Progress', 'Done']);
    }
  });

  it('a create without a required custom field is refused; JIRA_EXTRA_FIELDS fills it', async () => {
    const options = {
      baseUrl: cloud.url,
      deployment: 'cloud' as const,
      auth: CLOUD_AUTH,
      projectKey: 'SEC',
      issueType: 'Task',
    };
    const ticket = { summary: 's', description: [], labels: ['hubwarden'], assignee: undefined };
    expect(await rejectionOf(new JiraTicketTracker(options).create(ticket))).toMatchObject({
      code: 'jira.invalid',
      message: expect.stringContaining('customfield_10010: Team is required.'),
    });
    const created = await new JiraTicketTracker({
      ...options,
      extraFields: { [TEAM.id]: { value: 'Security' }, summary: 'never overrides hubwarden' },
    }).create(ticket);
    expect(cloud.issues.get(created.key)?.summary).toBe('s');
  });
});
