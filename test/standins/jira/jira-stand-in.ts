import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultQueue, type JiraFault } from './faults.js';
import { jiraError, type Reply } from './http-reply.js';
import type { Deployment } from './issue-fields.js';
import { IssueStore, type StandInIssue, type StandInUser, type StatusCategoryKey } from './issue-store.js';
import { issueRoutes } from './issue-routes.js';
import { JiraRateLimiter, type JiraRateLimit } from './rate-limit.js';
import type { Route, StandInState } from './route.js';
import { cloudSearchRoutes, datacenterSearchRoutes, removedSearchRoutes } from './search-routes.js';
import { userRoutes } from './user-routes.js';
import { projectRoutes, type RequiredField } from './project-routes.js';

export type StandInAuth = { readonly email: string; readonly apiToken: string } | { readonly pat: string };

export interface JiraStandInOptions {
  readonly deployment: Deployment;
  /** how long a write takes to reach search results; default 0 */
  readonly searchLagMs?: number;
  readonly projectKey: string;
  readonly users?: readonly StandInUser[];
  /** transitions besides "To Do", "In Progress" and "Done", e.g. `{ name: 'Suppressed', toStatus: "Won't Do" }` */
  readonly transitions?: readonly { name: string; toStatus: string; category?: StatusCategoryKey }[];
  /** Data Center style: every transition into a done status has a screen that requires a resolution */
  readonly resolutionScreens?: boolean;
  readonly auth: StandInAuth;
  readonly issueTypes?: readonly string[];
  /** custom fields the project's create screen requires (a create without them is refused) */
  readonly requiredFields?: readonly RequiredField[];
  /** project permissions the authenticated user lacks (`mypermissions` answers false for them) */
  readonly missingPermissions?: readonly string[];
  /** most issues per search page, whatever the client asks; default 50 */
  readonly maxPageSize?: number;
  /** the clock of creation times and search lag (tests may drive it); default `Date.now` */
  readonly clock?: () => number;
  /** Jira Cloud-like limit on every request (429 + `Retry-After` when exceeded); off unless given */
  readonly rateLimit?: JiraRateLimit | false;
}

export interface RecordedRequest {
  readonly route: string;
  readonly method: string;
  readonly path: string;
  /** `Date.now()` when the request arrived */
  readonly at: number;
}

export interface JiraStandIn {
  readonly url: string;
  readonly issues: ReadonlyMap<string, StandInIssue>;
  /** requests per route name, e.g. `calls['POST /rest/api/3/search/jql']` */
  readonly calls: Readonly<Record<string, number>>;
  readonly requests: readonly RecordedRequest[];
  /** 429s sent by the rate limiter per route name (injected faults are not counted here) */
  readonly throttled: Readonly<Record<string, number>>;
  /** switches the rate limit on (with a full bucket) or off */
  setRateLimit(limit: JiraRateLimit | false): void;
  inject(fault: JiraFault): void;
  /** disarms every injected fault (ends an outage) and keeps the request log */
  clearFaults(): void;
  setSearchLag(ms: number): void;
  /** adds an issue directly (no request counted), visible to search at once */
  seedIssue(fields: {
    summary: string;
    labels?: string[];
    statusName?: string;
    createdMs?: number;
    /** default `Task` */
    issueType?: string;
  }): StandInIssue;
  /** forgets recorded requests, counters and armed faults */
  reset(): void;
  close(): Promise<void>;
}

interface CompiledRoute {
  readonly name: string;
  readonly method: string;
  readonly pattern: RegExp;
  readonly route: Route;
}

const compile = (version: string, route: Route): CompiledRoute => {
  const template = `/rest/api/${version}${route.path}`;
  const pattern = new RegExp(`^${template.replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')}$`);
  return { name: `${route.method} ${template}`, method: route.method, pattern, route };
};

const routesFor = (deployment: Deployment): CompiledRoute[] => {
  if (deployment === 'datacenter') {
    return [...issueRoutes, ...datacenterSearchRoutes, ...userRoutes, ...projectRoutes].map((route) =>
      compile('2', route),
    );
  }
  return [
    ...[...issueRoutes, ...cloudSearchRoutes, ...userRoutes, ...projectRoutes].map((route) =>
      compile('3', route),
    ),
    ...removedSearchRoutes.flatMap((route) => [compile('2', route), compile('3', route)]),
  ];
};

const readBody = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

const send = (response: ServerResponse, reply: Reply): void => {
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.body === undefined) {
    response.writeHead(reply.status, headers).end();
    return;
  }
  const isText = typeof reply.body === 'string';
  headers['Content-Type'] = isText ? 'text/plain;charset=UTF-8' : 'application/json;charset=UTF-8';
  response.writeHead(reply.status, headers).end(isText ? reply.body : JSON.stringify(reply.body));
};

const isAuthorized = (header: string | undefined, auth: StandInAuth): boolean => {
  if ('pat' in auth) return header === `Bearer ${auth.pat}`;
  return header === `Basic ${Buffer.from(`${auth.email}:${auth.apiToken}`).toString('base64')}`;
};

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A Jira Cloud (REST v3) or Data Center (REST v2) stand-in on 127.0.0.1 speaking the real wire protocol:
 * issues, comments, a To Do / In Progress / Done workflow, user search, eventually consistent search,
 * Jira's validation and error shapes, and injectable rate limits, outages and delays.
 */
export const startJiraStandIn = async (options: JiraStandInOptions): Promise<JiraStandIn> => {
  const users = options.users ?? [];
  const store = new IssueStore(
    options.projectKey,
    options.transitions ?? [],
    options.searchLagMs ?? 0,
    options.clock,
    options.resolutionScreens ?? false,
  );
  const calls: Record<string, number> = {};
  const requests: RecordedRequest[] = [];
  const throttled: Record<string, number> = {};
  const faults = new FaultQueue();
  const limiter = new JiraRateLimiter(options.rateLimit ?? false, options.clock ?? Date.now);
  const routes = routesFor(options.deployment);
  const version = options.deployment === 'cloud' ? '3' : '2';
  const authEmail = 'email' in options.auth ? options.auth.email : undefined;
  const myself: StandInUser = users.find((user) => user.email === authEmail) ??
    users[0] ?? {
      accountId: '557058:hubwarden',
      name: 'hubwarden',
      email: 'hubwarden@example.com',
      displayName: 'hubwarden',
    };
  let url = '';
  const state: StandInState = {
    store,
    myself,
    fields: {
      deployment: options.deployment,
      users,
      projectKey: options.projectKey,
      projectId: '10000',
      issueTypes: options.issueTypes ?? ['Task', 'Bug', 'Story'],
      requiredFields: options.requiredFields ?? [],
    },
    missingPermissions: options.missingPermissions ?? [],
    apiBase: () => `${url}/rest/api/${version}`,
    maxPageSize: options.maxPageSize ?? 50,
  };

  const handle = async (request: IncomingMessage): Promise<Reply> => {
    const target = new URL(request.url ?? '/', 'http://stand-in');
    const method = request.method ?? 'GET';
    const matched = routes
      .filter((candidate) => candidate.method === method)
      .map((candidate) => ({ candidate, match: candidate.pattern.exec(target.pathname) }))
      .find(({ match }) => match !== null);
    const name = matched?.candidate.name ?? `${method} (unrouted)`;
    calls[name] = (calls[name] ?? 0) + 1;
    requests.push({ route: name, method, path: target.pathname, at: Date.now() });
    const rawBody = await readBody(request);

    const fault = faults.take(name);
    if (fault?.delayMs) await delay(fault.delayMs);
    if (fault?.status) {
      const headers =
        fault.retryAfter === undefined ? undefined : { 'Retry-After': String(fault.retryAfter) };
      const message = fault.status === 429 ? 'Rate limit exceeded.' : 'Service unavailable (injected fault).';
      const reply = fault.errors
        ? jiraError(fault.status, [], { ...fault.errors })
        : jiraError(fault.status, [message]);
      return { ...reply, ...(headers ? { headers } : {}) };
    }
    const wait = limiter.take();
    if (wait > 0) {
      throttled[name] = (throttled[name] ?? 0) + 1;
      return { ...jiraError(429, ['Rate limit exceeded.']), headers: { 'Retry-After': String(wait) } };
    }
    if (!isAuthorized(request.headers.authorization, options.auth)) {
      return { status: 401, body: 'Client must be authenticated to access this resource.' };
    }
    if (!matched) return { status: 404, body: 'Not found (no such route in the Jira stand-in).' };

    let body: unknown;
    if (rawBody !== '') {
      if (!request.headers['content-type']?.includes('application/json')) {
        return { status: 415, body: 'Unsupported Media Type' };
      }
      try {
        body = JSON.parse(rawBody);
      } catch {
        return jiraError(400, ['Unexpected character in the JSON body.']);
      }
    }
    const params = Object.fromEntries(
      Object.entries(matched.match?.groups ?? {}).map(([key, value]) => [key, decodeURIComponent(value)]),
    );
    return matched.candidate.route.handle({ params, query: target.searchParams, body }, state);
  };

  const server = createServer((request, response) => {
    handle(request).then(
      (reply) => send(response, reply),
      (error: unknown) => send(response, jiraError(500, [`stand-in failure: ${String(error)}`])),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    issues: store.issues,
    calls,
    requests,
    throttled,
    setRateLimit: (limit) => limiter.set(limit),
    inject: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
    setSearchLag: (ms) => {
      store.searchLagMs = ms;
    },
    seedIssue: (fields) => {
      const lag = store.searchLagMs;
      store.searchLagMs = 0;
      try {
        return store.add({
          summary: fields.summary,
          description: undefined,
          labels: fields.labels ?? [],
          issueType: fields.issueType ?? 'Task',
          assignee: undefined,
          ...(fields.statusName === undefined ? {} : { statusName: fields.statusName }),
          ...(fields.createdMs === undefined ? {} : { createdMs: fields.createdMs }),
        });
      } finally {
        store.searchLagMs = lag;
      }
    },
    reset: () => {
      for (const key of Object.keys(calls)) delete calls[key];
      for (const key of Object.keys(throttled)) delete throttled[key];
      requests.length = 0;
      faults.clear();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
};
