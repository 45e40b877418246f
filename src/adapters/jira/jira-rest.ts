import JiraApi from 'jira-client';
import { HubwardenError, isHubwardenError } from '../../core/errors.js';
import { networkReason } from '../../shared/error-reason.js';
import type { JiraRequestFunction, JiraRequestOptions } from './fetch-request.js';

export type JiraAuth =
  | { readonly email: string; readonly apiToken: string }
  /** Data Center personal access token, sent as a bearer token */
  | { readonly pat: string };

export interface JiraRestOptions {
  readonly baseUrl: string;
  readonly apiVersion: '2' | '3';
  readonly auth: JiraAuth;
  readonly request: JiraRequestFunction;
  readonly timeoutMs?: number;
}

/**
 * jira-client's request plumbing, which its typings mark private. We use it directly because its own
 * `searchJira` still calls the removed `/search` endpoint on Cloud.
 */
interface JiraClientInternals {
  makeUri(options: { pathname: string }): string;
  makeRequestHeader(uri: string, options: { method: string; body?: unknown }): JiraRequestOptions;
  doRequest(options: JiraRequestOptions): Promise<unknown>;
}

// jira-client's doRequest re-throws every failure as `new Error(JSON.stringify(e))`, losing the class. Each
// call carries a slot (symbol keys survive its object spread) where the request function parks the real error.
const ERROR_SLOT = Symbol('hubwarden.jira.errorSlot');
interface ErrorSlot {
  error?: HubwardenError;
}
type SlottedOptions = JiraRequestOptions & { [ERROR_SLOT]?: ErrorSlot };

const asHubwardenError = (error: unknown): HubwardenError =>
  isHubwardenError(error)
    ? error
    : new HubwardenError(`Jira request failed: ${networkReason(error)}`, {
        kind: 'retryable',
        code: 'jira.network',
        service: 'jira',
        cause: error,
      });

/** One Jira REST API version reached through jira-client, answering parsed JSON or a classified error. */
export class JiraRest {
  private readonly client: JiraClientInternals;

  constructor(options: JiraRestOptions) {
    const base = new URL(options.baseUrl);
    const request = options.request;
    const capturing = async (requestOptions: SlottedOptions): Promise<unknown> => {
      try {
        return await request(requestOptions);
      } catch (error) {
        const classified = asHubwardenError(error);
        const slot = requestOptions[ERROR_SLOT];
        if (slot) slot.error = classified;
        throw classified;
      }
    };
    const credentials =
      'pat' in options.auth
        ? { bearer: options.auth.pat }
        : { username: options.auth.email, password: options.auth.apiToken };
    const client = new JiraApi({
      protocol: base.protocol.replace(/:$/, ''),
      host: base.hostname,
      ...(base.port ? { port: base.port } : {}),
      base: base.pathname.replace(/\/+$/, ''),
      apiVersion: options.apiVersion,
      strictSSL: true,
      ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
      request: capturing,
      ...credentials,
    });
    // Reaching the private plumbing described above; jira-client exposes no public generic request.
    this.client = client as unknown as JiraClientInternals;
  }

  /**
   * Sends one request. `pathname` is relative to `/rest/api/N` and must already be safe; `query` is
   * appended here because jira-client's makeUri decodes what it encodes (a `+` in an e-mail would be lost).
   */
  async send(
    method: 'GET' | 'POST' | 'PUT',
    pathname: string,
    options: { query?: Readonly<Record<string, string>>; body?: unknown } = {},
  ): Promise<unknown> {
    const query = options.query ? `?${new URLSearchParams(options.query).toString()}` : '';
    const uri = `${this.client.makeUri({ pathname })}${query}`;
    const slot: ErrorSlot = {};
    const header = this.client.makeRequestHeader(uri, {
      method,
      ...(options.body === undefined ? {} : { body: options.body }),
    });
    try {
      return await this.client.doRequest({ ...header, [ERROR_SLOT]: slot } as SlottedOptions);
    } catch (error) {
      throw (
        slot.error ??
        new HubwardenError(`Jira answered ${method} ${pathname} with an error`, {
          kind: 'permanent',
          code: 'jira.error',
          service: 'jira',
          cause: error,
        })
      );
    }
  }
}
