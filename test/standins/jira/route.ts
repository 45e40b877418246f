import type { Reply } from './http-reply.js';
import type { FieldContext } from './issue-fields.js';
import type { IssueStore, StandInUser } from './issue-store.js';

export interface RouteRequest {
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly body: unknown;
}

export interface StandInState {
  readonly store: IssueStore;
  readonly fields: FieldContext;
  /** the user the credentials belong to */
  readonly myself: StandInUser;
  /** `http://127.0.0.1:port/rest/api/N` */
  readonly apiBase: () => string;
  readonly maxPageSize: number;
  /** project permissions the authenticated user lacks, e.g. `ASSIGN_ISSUES` */
  readonly missingPermissions: readonly string[];
}

/** A route below `/rest/api/N`, e.g. `GET /issue/{key}`. */
export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT';
  readonly path: string;
  readonly handle: (request: RouteRequest, state: StandInState) => Reply;
}
