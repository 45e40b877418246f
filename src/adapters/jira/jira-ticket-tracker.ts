import { parseAnswer } from './parse-answer.js';
import { code, paragraph, text, type Doc } from '../../core/document.js';
import { HubwardenError, isHubwardenError } from '../../core/errors.js';
import type {
  Assignee,
  NewTicket,
  Ticket,
  TicketChanges,
  TicketTracker,
} from '../../core/ports/ticket-tracker.js';
import { docToAdf } from './adf.js';
import { createFetchRequest, isFieldRefusal, type JiraRequestFunction } from './fetch-request.js';
import { issuesWithAllLabelsJql } from './jql.js';
import { JiraRest, type JiraAuth } from './jira-rest.js';
import {
  cloudSearchPageSchema,
  createdIssueSchema,
  datacenterSearchPageSchema,
  issueSchema,
  transitionsSchema,
  usersSchema,
  userSchema,
  type JiraIssue,
} from './jira-schemas.js';
import { toSingleLine } from './sanitize-text.js';
import { docToWiki } from './wiki.js';

export type JiraDeployment = 'cloud' | 'datacenter';

export interface JiraTicketTrackerOptions {
  /** e.g. `https://acme.atlassian.net`, or a Data Center URL with its context path */
  readonly baseUrl: string;
  /**
   * the site people open, for ticket links; default `baseUrl`. Differs with Cloud scoped API tokens, whose
   * API base is `https://api.atlassian.com/ex/jira/{cloudId}` while people browse `https://acme.atlassian.net`.
   */
  readonly siteUrl?: string;
  readonly deployment: JiraDeployment;
  readonly auth: JiraAuth;
  readonly projectKey: string;
  readonly issueType: string;
  /** fields set on every created ticket besides hubwarden's own (required custom fields of the create screen) */
  readonly extraFields?: Readonly<Record<string, unknown>>;
  /** resolution set by a transition whose screen asks for one (Data Center close screens); default `Done` */
  readonly closeResolution?: string;
  /** jira-client's request function; defaults to `createFetchRequest()` */
  readonly request?: JiraRequestFunction;
  /** per-request timeout; default 30 s */
  readonly timeoutMs?: number;
  /** issues asked for per search page (Jira may answer fewer); default 100 */
  readonly searchPageSize?: number;
}

/** The authenticated user, for a connection check. */
export interface JiraMyself {
  readonly displayName: string | undefined;
  readonly accountId: string | undefined;
  readonly userName: string | undefined;
}

const SEARCH_FIELDS = ['summary', 'status', 'labels', 'created'];
const MAX_SEARCH_PAGES = 200;
const MAX_SUMMARY_LENGTH = 255;
const ISSUE_KEY = /^[A-Z][A-Z0-9_]*-[1-9][0-9]*$/i;

// Jira writes offsets without a colon (`+0000`), which not every parser accepts.
const toIsoTimestamp = (value: string | null | undefined): string => {
  if (!value) return '';
  const date = new Date(value.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
};

const sameName = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

/** The ticket tracker on Jira Cloud (REST v3, ADF) or Data Center (REST v2, wiki markup). */
export class JiraTicketTracker implements TicketTracker {
  private readonly rest: JiraRest;
  private readonly siteUrl: string;
  private readonly extraFields: Readonly<Record<string, unknown>>;
  private readonly closeResolution: string;
  private readonly deployment: JiraDeployment;
  private readonly projectKey: string;
  private readonly issueType: string;
  private readonly searchPageSize: number;

  constructor(options: JiraTicketTrackerOptions) {
    const baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.siteUrl = (options.siteUrl ?? baseUrl).replace(/\/+$/, '');
    this.extraFields = options.extraFields ?? {};
    this.closeResolution = options.closeResolution ?? 'Done';
    this.deployment = options.deployment;
    this.projectKey = options.projectKey;
    this.issueType = options.issueType;
    this.searchPageSize = options.searchPageSize ?? 100;
    this.rest = new JiraRest({
      baseUrl,
      apiVersion: options.deployment === 'cloud' ? '3' : '2',
      auth: options.auth,
      request: options.request ?? createFetchRequest(),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
  }

  async findByLabels(labels: readonly string[]): Promise<Ticket[]> {
    const jql = issuesWithAllLabelsJql(this.projectKey, labels);
    const issues =
      this.deployment === 'cloud' ? await this.searchCloud(jql) : await this.searchDatacenter(jql);
    return issues.map((issue) => this.toTicket(issue));
  }

  async get(key: string): Promise<Ticket | undefined> {
    const issue = await this.readIssue(key);
    return issue && this.toTicket(issue);
  }

  async create(ticket: NewTicket): Promise<Ticket> {
    const assignee = this.assigneeField(ticket.assignee);
    const fields = {
      ...this.extraFields,
      project: { key: this.projectKey },
      issuetype: { name: this.issueType },
      summary: this.summaryOf(ticket.summary),
      description: this.render(ticket.description),
      labels: [...ticket.labels],
    };
    const post = async (withAssignee: boolean) =>
      parseAnswer(
        createdIssueSchema,
        await this.rest.send('POST', '/issue', {
          body: { fields: withAssignee && assignee ? { ...fields, assignee } : fields },
        }),
        'create',
      );
    let created: { key: string };
    try {
      created = await post(true);
    } catch (error) {
      // An owner Jira will not assign (no "Assignable User" permission, deactivated, unknown) must not keep
      // the repository without a ticket: create it unassigned and say in a comment who should have it.
      if (!assignee || !isFieldRefusal(error, 'assignee')) throw error;
      created = await post(false);
      await this.noteUnassignable(created.key, assignee, error.fieldErrors.assignee ?? '');
    }
    // No read-back: one call per new ticket, and a key Jira has just assigned can never be lost to a
    // failed second request (the caller records it at once). A new issue starts in an open status.
    return {
      key: created.key,
      url: `${this.siteUrl}/browse/${created.key}`,
      summary: fields.summary,
      status: 'open',
      statusName: 'To Do',
      labels: fields.labels,
      created: new Date().toISOString(),
    };
  }

  async update(key: string, changes: TicketChanges): Promise<void> {
    const assignee = changes.assignee && this.assigneeField(changes.assignee);
    const fields = {
      ...(changes.summary === undefined ? {} : { summary: this.summaryOf(changes.summary) }),
      ...(changes.description === undefined ? {} : { description: this.render(changes.description) }),
    };
    if (Object.keys(fields).length === 0 && !assignee) return;
    try {
      await this.rest.send('PUT', this.issuePath(key), {
        body: { fields: assignee ? { ...fields, assignee } : fields },
      });
    } catch (error) {
      if (!assignee || !isFieldRefusal(error, 'assignee')) throw error;
      if (Object.keys(fields).length > 0)
        await this.rest.send('PUT', this.issuePath(key), { body: { fields } });
      await this.noteUnassignable(key, assignee, error.fieldErrors.assignee ?? '');
    }
  }

  async comment(key: string, body: Doc): Promise<void> {
    await this.rest.send('POST', `${this.issuePath(key)}/comment`, { body: { body: this.render(body) } });
  }

  async transition(key: string, transitionName: string): Promise<void> {
    const issue = await this.readIssue(key);
    if (!issue) {
      throw new HubwardenError(`Jira issue ${key} does not exist`, {
        kind: 'permanent',
        code: 'jira.not_found',
        service: 'jira',
        status: 404,
      });
    }
    const current = issue.fields.status;
    const { transitions } = parseAnswer(
      transitionsSchema,
      await this.rest.send('GET', `${this.issuePath(key)}/transitions`, {
        query: { expand: 'transitions.fields' },
      }),
      'transitions',
    );
    const wanted = transitions.find((candidate) => sameName(candidate.name, transitionName));
    if (!wanted) {
      // Some workflows hide the transition into the status the issue is already in.
      if (sameName(current.name, transitionName)) return;
      const available = transitions.map((candidate) => `"${candidate.name}"`).join(', ') || 'none';
      throw new HubwardenError(
        `Jira issue ${key} has no transition "${transitionName}" from status "${current.name}"; available: ${available}`,
        { kind: 'permanent', code: 'jira.unknown_transition', service: 'jira' },
      );
    }
    const alreadyThere =
      sameName(wanted.to.name, current.name) || wanted.to.statusCategory.key === current.statusCategory.key;
    if (alreadyThere) return;
    // A transition screen with a resolution (Data Center's close screens) refuses the move without one,
    // and a transition without that screen refuses a resolution: set it only where the screen has it.
    const resolution = wanted.fields?.resolution;
    const setResolution =
      resolution !== undefined && (resolution.required || wanted.to.statusCategory.key === 'done');
    await this.rest.send('POST', `${this.issuePath(key)}/transitions`, {
      body: {
        transition: { id: wanted.id },
        ...(setResolution ? { fields: { resolution: { name: this.closeResolution } } } : {}),
      },
    });
  }

  async findUserByEmail(email: string): Promise<Assignee | undefined> {
    const cloud = this.deployment === 'cloud';
    const users = parseAnswer(
      usersSchema,
      await this.rest.send('GET', '/user/search', { query: cloud ? { query: email } : { username: email } }),
      'user search',
    ).filter((user) => user.active !== false);
    // Cloud hides e-mail addresses by privacy setting; a single hit for an exact address is then accepted.
    const exact = users.filter(
      (user) => user.emailAddress !== undefined && sameName(user.emailAddress, email),
    );
    const match =
      exact[0] ?? (users.length === 1 && users[0]?.emailAddress === undefined ? users[0] : undefined);
    if (!match) return undefined;
    if (cloud) return match.accountId ? { accountId: match.accountId, userName: undefined } : undefined;
    return match.name ? { accountId: undefined, userName: match.name } : undefined;
  }

  /** The authenticated user; fails with `jira.unauthorized` when the credentials are wrong. */
  async myself(): Promise<JiraMyself> {
    const user = parseAnswer(userSchema, await this.rest.send('GET', '/myself'), 'myself');
    return { displayName: user.displayName, accountId: user.accountId, userName: user.name };
  }

  /** Best effort: the ticket exists either way, and a failed comment must not hide its key from the caller. */
  private async noteUnassignable(
    key: string,
    assignee: { accountId: string } | { name: string },
    reason: string,
  ): Promise<void> {
    const cloud = 'accountId' in assignee;
    const owner = cloud ? assignee.accountId : assignee.name;
    const note: Doc = [
      paragraph(
        text('hubwarden could not assign this ticket to the owner, Jira '),
        text(cloud ? 'account ' : 'user '),
        code(owner),
        text(
          `: ${
            toSingleLine(reason)
              .replace(/[.\s]+$/, '')
              .trim() || 'Jira refused the assignee'
          }.`,
        ),
      ),
      paragraph(
        text("Assign it by hand, or correct the owner's "),
        code(cloud ? 'jiraAccountId' : 'jiraUser'),
        text(' in the owners file (or give that user the "Assignable User" permission in this project).'),
      ),
    ];
    await this.comment(key, note).catch(() => undefined);
  }

  private async searchCloud(jql: string): Promise<JiraIssue[]> {
    const issues: JiraIssue[] = [];
    let nextPageToken: string | undefined;
    for (let page = 0; page < MAX_SEARCH_PAGES; page += 1) {
      const body = {
        jql,
        fields: SEARCH_FIELDS,
        maxResults: this.searchPageSize,
        ...(nextPageToken ? { nextPageToken } : {}),
      };
      const answer = parseAnswer(
        cloudSearchPageSchema,
        await this.rest.send('POST', '/search/jql', { body }),
        'search',
      );
      issues.push(...answer.issues);
      if (answer.isLast === true || !answer.nextPageToken) return issues;
      nextPageToken = answer.nextPageToken;
    }
    throw this.tooManyPages();
  }

  private async searchDatacenter(jql: string): Promise<JiraIssue[]> {
    const issues: JiraIssue[] = [];
    for (let page = 0; page < MAX_SEARCH_PAGES; page += 1) {
      const body = { jql, fields: SEARCH_FIELDS, startAt: issues.length, maxResults: this.searchPageSize };
      const answer = parseAnswer(
        datacenterSearchPageSchema,
        await this.rest.send('POST', '/search', { body }),
        'search',
      );
      issues.push(...answer.issues);
      if (answer.issues.length === 0 || issues.length >= answer.total) return issues;
    }
    throw this.tooManyPages();
  }

  private tooManyPages(): HubwardenError {
    return new HubwardenError(`Jira search returned more than ${MAX_SEARCH_PAGES} pages`, {
      kind: 'permanent',
      code: 'jira.too_many_results',
      service: 'jira',
    });
  }

  private async readIssue(key: string): Promise<JiraIssue | undefined> {
    try {
      const answer = await this.rest.send('GET', this.issuePath(key), {
        query: { fields: SEARCH_FIELDS.join(',') },
      });
      return parseAnswer(issueSchema, answer, `issue ${key}`);
    } catch (error) {
      if (isHubwardenError(error) && error.code === 'jira.not_found') return undefined;
      throw error;
    }
  }

  private issuePath(key: string): string {
    if (!ISSUE_KEY.test(key)) {
      throw new HubwardenError(`Not a Jira issue key: ${JSON.stringify(key.slice(0, 40))}`, {
        kind: 'permanent',
        code: 'jira.invalid_key',
        service: 'jira',
      });
    }
    return `/issue/${key}`;
  }

  private render(doc: Doc): unknown {
    return this.deployment === 'cloud' ? docToAdf(doc) : docToWiki(doc);
  }

  // Jira refuses summaries with line breaks or longer than 255 characters.
  private summaryOf(summary: string): string {
    const single = toSingleLine(summary).trim();
    return single.length <= MAX_SUMMARY_LENGTH ? single : `${single.slice(0, MAX_SUMMARY_LENGTH - 1)}…`;
  }

  // An assignee without the identifier this deployment uses leaves the ticket unassigned rather than failing.
  private assigneeField(
    assignee: Assignee | undefined,
  ): { accountId: string } | { name: string } | undefined {
    if (this.deployment === 'cloud')
      return assignee?.accountId ? { accountId: assignee.accountId } : undefined;
    return assignee?.userName ? { name: assignee.userName } : undefined;
  }

  private toTicket(issue: JiraIssue): Ticket {
    return {
      key: issue.key,
      url: `${this.siteUrl}/browse/${issue.key}`,
      summary: issue.fields.summary ?? '',
      status: issue.fields.status.statusCategory.key === 'done' ? 'done' : 'open',
      statusName: issue.fields.status.name,
      labels: issue.fields.labels ?? [],
      created: toIsoTimestamp(issue.fields.created),
    };
  }
}
