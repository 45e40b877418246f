import { jiraError, json, type Reply } from './http-reply.js';
import type { Route, RouteRequest, StandInState } from './route.js';

/** A custom field the project's create screen requires (Jira answers `"<name> is required."` without it). */
export interface RequiredField {
  /** e.g. `customfield_10010` */
  readonly id: string;
  readonly name: string;
}

/** Project permission keys the stand-in knows, with the names Jira shows. */
export const PROJECT_PERMISSIONS: Readonly<Record<string, string>> = {
  BROWSE_PROJECTS: 'Browse Projects',
  CREATE_ISSUES: 'Create Issues',
  EDIT_ISSUES: 'Edit Issues',
  ASSIGN_ISSUES: 'Assign Issues',
  ASSIGNABLE_USER: 'Assignable User',
  TRANSITION_ISSUES: 'Transition Issues',
  RESOLVE_ISSUES: 'Resolve Issues',
  CLOSE_ISSUES: 'Close Issues',
  ADD_COMMENTS: 'Add Comments',
};

export const issueTypeId = (index: number): string => String(10001 + index);

const noProject = (key: string): Reply => jiraError(404, [`No project could be found with key '${key}'.`]);

const isProject = (idOrKey: string | undefined, state: StandInState): boolean =>
  idOrKey !== undefined &&
  (idOrKey.toUpperCase() === state.fields.projectKey || idOrKey === state.fields.projectId);

const issueTypesJson = (state: StandInState) =>
  state.fields.issueTypes.map((name, index) => ({
    self: `${state.apiBase()}/issuetype/${issueTypeId(index)}`,
    id: issueTypeId(index),
    description: '',
    name,
    subtask: false,
    hierarchyLevel: 0,
  }));

/** A page as each deployment shapes it: Cloud names the list (`issueTypes`, `fields`), Data Center uses `values`. */
const page = (items: readonly unknown[], cloudName: string, request: RouteRequest, state: StandInState) => {
  const startAt = Number(request.query.get('startAt') ?? 0) || 0;
  const maxResults = Math.min(Number(request.query.get('maxResults') ?? 50) || 50, 200);
  const slice = items.slice(startAt, startAt + maxResults);
  return state.fields.deployment === 'cloud'
    ? { maxResults, startAt, total: items.length, [cloudName]: slice }
    : {
        maxResults,
        startAt,
        total: items.length,
        isLast: startAt + slice.length >= items.length,
        values: slice,
      };
};

const field = (
  fieldId: string,
  name: string,
  required: boolean,
  schema: Record<string, unknown>,
  hasDefaultValue = false,
) => ({ required, schema, name, key: fieldId, fieldId, hasDefaultValue, operations: ['set'] });

/** The create screen: Jira's standard fields plus the required custom fields configured for the stand-in. */
const createScreen = (state: StandInState) => [
  field('summary', 'Summary', true, { type: 'string', system: 'summary' }),
  field('issuetype', 'Issue Type', true, { type: 'issuetype', system: 'issuetype' }),
  field('project', 'Project', true, { type: 'project', system: 'project' }),
  field('reporter', 'Reporter', true, { type: 'user', system: 'reporter' }, true),
  field('description', 'Description', false, { type: 'string', system: 'description' }),
  field('labels', 'Labels', false, { type: 'array', items: 'string', system: 'labels' }),
  field('assignee', 'Assignee', false, { type: 'user', system: 'assignee' }),
  field('priority', 'Priority', false, { type: 'priority', system: 'priority' }, true),
  ...state.fields.requiredFields.map((custom) =>
    field(custom.id, custom.name, true, { type: 'option', custom: 'select', customId: 1 }),
  ),
];

const getProject: Route = {
  method: 'GET',
  path: '/project/{key}',
  handle: (request, state) => {
    const key = request.params.key ?? '';
    if (!isProject(key, state)) return noProject(key);
    return json({
      self: `${state.apiBase()}/project/${state.fields.projectId}`,
      id: state.fields.projectId,
      key: state.fields.projectKey,
      name: `Project ${state.fields.projectKey}`,
      projectTypeKey: 'software',
      issueTypes: issueTypesJson(state),
    });
  },
};

const createMetaIssueTypes: Route = {
  method: 'GET',
  path: '/issue/createmeta/{project}/issuetypes',
  handle: (request, state) => {
    const key = request.params.project ?? '';
    if (!isProject(key, state)) return noProject(key);
    if (state.missingPermissions.includes('CREATE_ISSUES'))
      return json(page([], 'issueTypes', request, state));
    return json(page(issueTypesJson(state), 'issueTypes', request, state));
  },
};

const createMetaFields: Route = {
  method: 'GET',
  path: '/issue/createmeta/{project}/issuetypes/{issueTypeId}',
  handle: (request, state) => {
    const key = request.params.project ?? '';
    if (!isProject(key, state)) return noProject(key);
    const known = state.fields.issueTypes.some(
      (_, index) => issueTypeId(index) === request.params.issueTypeId,
    );
    if (!known || state.missingPermissions.includes('CREATE_ISSUES'))
      return jiraError(404, [
        'Issue type with given ID does not exist or you do not have permission to see it.',
      ]);
    return json(page(createScreen(state), 'fields', request, state));
  },
};

const myPermissions: Route = {
  method: 'GET',
  path: '/mypermissions',
  handle: (request, state) => {
    const wanted = (request.query.get('permissions') ?? '').split(',').filter((key) => key !== '');
    // Cloud refuses the call without a list; Data Center answers every permission.
    if (wanted.length === 0 && state.fields.deployment === 'cloud')
      return jiraError(400, ['The permissions query parameter is required.']);
    const projectKey = request.query.get('projectKey');
    if (projectKey !== null && !isProject(projectKey, state)) return noProject(projectKey);
    const unknown = wanted.find((key) => PROJECT_PERMISSIONS[key] === undefined);
    if (unknown) return jiraError(400, [`Permission key '${unknown}' is not valid.`]);
    const keys = wanted.length > 0 ? wanted : Object.keys(PROJECT_PERMISSIONS);
    return json({
      permissions: Object.fromEntries(
        keys.map((key, index) => [
          key,
          {
            id: String(10 + index),
            key,
            name: PROJECT_PERMISSIONS[key],
            type: 'PROJECT',
            description: '',
            havePermission: !state.missingPermissions.includes(key),
          },
        ]),
      ),
    });
  },
};

export const projectRoutes: readonly Route[] = [
  getProject,
  createMetaIssueTypes,
  createMetaFields,
  myPermissions,
];
