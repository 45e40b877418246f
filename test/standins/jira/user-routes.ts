import { jiraError, json } from './http-reply.js';
import { userJson } from './issue-routes.js';
import type { Route } from './route.js';

const matches = (value: string, query: string): boolean => value.toLowerCase().includes(query.toLowerCase());

const userSearch: Route = {
  method: 'GET',
  path: '/user/search',
  handle: (request, state) => {
    const cloud = state.fields.deployment === 'cloud';
    const query = request.query.get(cloud ? 'query' : 'username');
    if (!query) {
      return jiraError(400, [
        cloud ? "The query parameter 'query' is required." : "The parameter 'username' is mandatory.",
      ]);
    }
    const found = state.fields.users.filter((user) =>
      cloud
        ? matches(user.email, query) || matches(user.displayName, query)
        : matches(user.email, query) || matches(user.name, query) || matches(user.displayName, query),
    );
    return json(found.map((user) => userJson(user, state)));
  },
};

const myself: Route = {
  method: 'GET',
  path: '/myself',
  handle: (_request, state) => json(userJson(state.myself, state)),
};

export const userRoutes: readonly Route[] = [userSearch, myself];
