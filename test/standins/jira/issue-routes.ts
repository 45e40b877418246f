import { jiraError, json, noContent, type Reply } from './http-reply.js';
import { parseFields, richTextProblem } from './issue-fields.js';
import { jiraTimestamp, statusJson, type StandInIssue, type StandInUser } from './issue-store.js';
import type { Route, RouteRequest, StandInState } from './route.js';

const notFound = (): Reply =>
  jiraError(404, ['Issue does not exist or you do not have permission to see it.']);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const userJson = (user: StandInUser, state: StandInState) =>
  state.fields.deployment === 'cloud'
    ? {
        accountId: user.accountId,
        accountType: 'atlassian',
        displayName: user.displayName,
        active: user.active ?? true,
        ...(user.emailHidden ? {} : { emailAddress: user.email }),
      }
    : {
        name: user.name,
        key: user.name,
        displayName: user.displayName,
        emailAddress: user.email,
        active: user.active ?? true,
      };

export const issueJson = (issue: StandInIssue, state: StandInState, only?: readonly string[]) => {
  const all: Record<string, unknown> = {
    summary: issue.summary,
    status: statusJson(issue.status),
    resolution: issue.resolution === undefined ? null : { name: issue.resolution },
    labels: issue.labels,
    assignee: issue.assignee ? userJson(issue.assignee, state) : null,
    description: issue.description ?? null,
    created: jiraTimestamp(issue.createdMs),
    issuetype: { name: issue.issueType },
    project: { key: issue.projectKey },
  };
  const wanted = only && !only.includes('*all') ? only : Object.keys(all);
  return {
    id: issue.id,
    key: issue.key,
    self: `${state.apiBase()}/issue/${issue.id}`,
    fields: Object.fromEntries(wanted.filter((name) => name in all).map((name) => [name, all[name]])),
  };
};

const issueOf = (request: RouteRequest, state: StandInState): StandInIssue | undefined =>
  state.store.issues.get(request.params.key?.toUpperCase() ?? '');

const create: Route = {
  method: 'POST',
  path: '/issue',
  handle: (request, state) => {
    const body = isObject(request.body) ? request.body : {};
    const changes = parseFields(body.fields, state.fields, true);
    if (Object.keys(changes.errors).length > 0) return jiraError(400, [], changes.errors);
    const issue = state.store.add({
      summary: changes.summary ?? '',
      description: changes.description,
      labels: changes.labels ?? [],
      issueType: changes.issueType ?? 'Task',
      assignee: changes.assignee ?? undefined,
    });
    return json({ id: issue.id, key: issue.key, self: `${state.apiBase()}/issue/${issue.id}` }, 201);
  },
};

const get: Route = {
  method: 'GET',
  path: '/issue/{key}',
  handle: (request, state) => {
    const issue = issueOf(request, state);
    if (!issue) return notFound();
    const fields = request.query.get('fields');
    return json(issueJson(issue, state, fields ? fields.split(',') : undefined));
  },
};

const edit: Route = {
  method: 'PUT',
  path: '/issue/{key}',
  handle: (request, state) => {
    const issue = issueOf(request, state);
    if (!issue) return notFound();
    const body = isObject(request.body) ? request.body : {};
    const changes = parseFields(body.fields ?? {}, state.fields, false);
    if (Object.keys(changes.errors).length > 0) return jiraError(400, [], changes.errors);
    if (changes.summary !== undefined) issue.summary = changes.summary;
    if ('description' in changes) issue.description = changes.description;
    if (changes.labels !== undefined) issue.labels = changes.labels;
    if (changes.assignee !== undefined) issue.assignee = changes.assignee ?? undefined;
    state.store.reindex(issue);
    return noContent();
  },
};

const addComment: Route = {
  method: 'POST',
  path: '/issue/{key}/comment',
  handle: (request, state) => {
    const issue = issueOf(request, state);
    if (!issue) return notFound();
    const body = isObject(request.body) ? request.body.body : undefined;
    const problem = richTextProblem(body, state.fields.deployment);
    if (problem) return jiraError(400, [], { comment: problem });
    const comment = { id: String(20000 + issue.comments.length), body, created: jiraTimestamp(Date.now()) };
    issue.comments.push(comment);
    return json({ ...comment, author: userJson(state.myself, state) }, 201);
  },
};

const listComments: Route = {
  method: 'GET',
  path: '/issue/{key}/comment',
  handle: (request, state) => {
    const issue = issueOf(request, state);
    if (!issue) return notFound();
    return json({ startAt: 0, maxResults: 5000, total: issue.comments.length, comments: issue.comments });
  },
};

/** Jira's default resolutions (Cloud, and Data Center since 8.x). */
export const RESOLUTIONS = ['Done', "Won't Do", 'Duplicate', 'Cannot Reproduce'];

const resolutionField = () => ({
  required: true,
  schema: { type: 'resolution', system: 'resolution' },
  name: 'Resolution',
  key: 'resolution',
  hasDefaultValue: false,
  operations: ['set'],
  allowedValues: RESOLUTIONS.map((name, index) => ({ id: String(10000 + index), name })),
});

const listTransitions: Route = {
  method: 'GET',
  path: '/issue/{key}/transitions',
  handle: (request, state) => {
    if (!issueOf(request, state)) return notFound();
    const withFields = (request.query.get('expand') ?? '').split(',').includes('transitions.fields');
    // Global transitions: every one is offered from every status, including the one the issue is in.
    return json({
      expand: 'transitions',
      transitions: state.store.transitions.map((t) => ({
        id: t.id,
        name: t.name,
        to: statusJson(t.to),
        hasScreen: t.resolutionScreen,
        isGlobal: true,
        isInitial: false,
        isAvailable: true,
        isConditional: false,
        ...(withFields ? { fields: t.resolutionScreen ? { resolution: resolutionField() } : {} } : {}),
      })),
    });
  },
};

const doTransition: Route = {
  method: 'POST',
  path: '/issue/{key}/transitions',
  handle: (request, state) => {
    const issue = issueOf(request, state);
    if (!issue) return notFound();
    const body = isObject(request.body) ? request.body : {};
    const wanted = isObject(body.transition) ? body.transition.id : undefined;
    const transition = state.store.transitions.find((t) => t.id === String(wanted));
    if (!transition)
      return jiraError(400, [`Transition id '${String(wanted)}' is not valid for this issue.`]);
    const fields = isObject(body.fields) ? body.fields : {};
    const errors: Record<string, string> = {};
    for (const name of Object.keys(fields)) {
      if (name !== 'resolution' || !transition.resolutionScreen)
        errors[name] = `Field '${name}' cannot be set. It is not on the appropriate screen, or unknown.`;
    }
    const resolution = isObject(fields.resolution) ? fields.resolution.name : undefined;
    if (transition.resolutionScreen && !errors.resolution) {
      if (fields.resolution === undefined) errors.resolution = 'Resolution is required.';
      else if (typeof resolution !== 'string' || !RESOLUTIONS.includes(resolution))
        errors.resolution = `Could not find resolution with name '${String(resolution)}'.`;
    }
    if (Object.keys(errors).length > 0) return jiraError(400, [], errors);
    issue.status = transition.to;
    issue.statusChangedMs = state.store.now();
    if (typeof resolution === 'string') issue.resolution = resolution;
    state.store.reindex(issue);
    return noContent();
  },
};

export const issueRoutes: readonly Route[] = [
  create,
  get,
  edit,
  addComment,
  listComments,
  listTransitions,
  doTransition,
];
