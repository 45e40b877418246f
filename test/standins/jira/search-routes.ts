import { jiraError, json, type Reply } from './http-reply.js';
import { issueJson } from './issue-routes.js';
import { JqlError, parseJql, type JqlQuery } from './jql.js';
import type { Route, RouteRequest, StandInState } from './route.js';

interface SearchParameters {
  readonly jql: string;
  readonly fields: readonly string[] | undefined;
  readonly maxResults: number | undefined;
  readonly startAt: number;
  readonly nextPageToken: string | undefined;
}

const numberOrUndefined = (value: unknown): number | undefined => {
  const parsed = typeof value === 'string' ? Number(value) : value;
  return typeof parsed === 'number' && Number.isInteger(parsed) && parsed >= 0 ? parsed : undefined;
};

const fieldList = (value: unknown): string[] | undefined => {
  if (Array.isArray(value)) return value.map(String);
  return typeof value === 'string' ? value.split(',') : undefined;
};

const parametersOf = (request: RouteRequest, method: 'GET' | 'POST'): SearchParameters => {
  const source: Record<string, unknown> =
    method === 'GET'
      ? Object.fromEntries(request.query.entries())
      : typeof request.body === 'object' && request.body !== null
        ? (request.body as Record<string, unknown>)
        : {};
  return {
    jql: typeof source.jql === 'string' ? source.jql : '',
    fields: fieldList(source.fields),
    maxResults: numberOrUndefined(source.maxResults),
    startAt: numberOrUndefined(source.startAt) ?? 0,
    nextPageToken: typeof source.nextPageToken === 'string' ? source.nextPageToken : undefined,
  };
};

const parseOrReply = (jql: string): JqlQuery | Reply => {
  try {
    return parseJql(jql);
  } catch (error) {
    if (error instanceof JqlError) return jiraError(400, [`Error in the JQL Query: ${error.message}`]);
    throw error;
  }
};

const pageSize = (requested: number | undefined, state: StandInState): number =>
  Math.min(requested ?? 50, state.maxPageSize);

const matchingIssues = (query: JqlQuery, fields: readonly string[] | undefined, state: StandInState) =>
  state.store.search(query).flatMap((view) => {
    const issue = state.store.issues.get(view.key);
    // Fields come from the index (it lags like the match does); the new Cloud search returns only ids by default.
    const indexed = issue && { ...issue, summary: view.summary, labels: [...view.labels] };
    const status = issue && state.store.statuses.find((s) => s.name === view.statusName);
    return indexed ? [issueJson({ ...indexed, status: status ?? indexed.status }, state, fields)] : [];
  });

const tokenFor = (offset: number, jql: string): string =>
  Buffer.from(JSON.stringify({ offset, jql })).toString('base64url');

const offsetFromToken = (token: string, jql: string): number | undefined => {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      offset?: unknown;
      jql?: unknown;
    };
    return decoded.jql === jql ? numberOrUndefined(decoded.offset) : undefined;
  } catch {
    return undefined;
  }
};

const cloudSearch = (method: 'GET' | 'POST'): Route => ({
  method,
  path: '/search/jql',
  handle: (request, state) => {
    const parameters = parametersOf(request, method);
    const query = parseOrReply(parameters.jql);
    if ('status' in query) return query;
    if (!query.bounded) {
      return jiraError(400, [
        'Unbounded JQL queries are not allowed here. Please add a search restriction to your query.',
      ]);
    }
    const offset =
      parameters.nextPageToken === undefined ? 0 : offsetFromToken(parameters.nextPageToken, parameters.jql);
    if (offset === undefined) return jiraError(400, ['The provided next page token is invalid or expired.']);
    const all = matchingIssues(query, parameters.fields ?? ['id'], state);
    const end = offset + pageSize(parameters.maxResults, state);
    const isLast = end >= all.length;
    const issues = all.slice(offset, end).map((issue) => (parameters.fields ? issue : { id: issue.id }));
    return json({ issues, isLast, ...(isLast ? {} : { nextPageToken: tokenFor(end, parameters.jql) }) });
  },
});

const datacenterSearch = (method: 'GET' | 'POST'): Route => ({
  method,
  path: '/search',
  handle: (request, state) => {
    const parameters = parametersOf(request, method);
    const query = parseOrReply(parameters.jql);
    if ('status' in query) return query;
    const all = matchingIssues(query, parameters.fields, state);
    const maxResults = pageSize(parameters.maxResults, state);
    const issues = all.slice(parameters.startAt, parameters.startAt + maxResults);
    return json({
      expand: 'schema,names',
      startAt: parameters.startAt,
      maxResults,
      total: all.length,
      issues,
    });
  },
});

const removed = (method: 'GET' | 'POST'): Route => ({
  method,
  path: '/search',
  handle: () =>
    jiraError(410, [
      'The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046',
    ]),
});

export const cloudSearchRoutes: readonly Route[] = [cloudSearch('POST'), cloudSearch('GET')];
/** Served under both `/rest/api/2` and `/rest/api/3` on Cloud. */
export const removedSearchRoutes: readonly Route[] = [removed('GET'), removed('POST')];
export const datacenterSearchRoutes: readonly Route[] = [datacenterSearch('POST'), datacenterSearch('GET')];
