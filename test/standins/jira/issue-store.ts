import type { JqlQuery, JqlSubject } from './jql.js';

export type StatusCategoryKey = 'new' | 'indeterminate' | 'done';

export interface StandInUser {
  readonly accountId: string;
  /** Data Center user name */
  readonly name: string;
  readonly email: string;
  readonly displayName: string;
  /** Cloud hides e-mail addresses of users who chose so */
  readonly emailHidden?: boolean;
  readonly active?: boolean;
  /** false: Jira refuses to assign issues to this user (no "Assignable User" permission in the project) */
  readonly assignable?: boolean;
}

export interface StandInStatus {
  readonly id: string;
  readonly name: string;
  readonly category: StatusCategoryKey;
}

export interface StandInTransition {
  readonly id: string;
  readonly name: string;
  readonly to: StandInStatus;
  /** the transition has a screen with a required Resolution field (Data Center's "Resolve Issue Screen") */
  readonly resolutionScreen: boolean;
}

export interface StandInComment {
  readonly id: string;
  readonly body: unknown;
  readonly created: string;
}

export interface StandInIssue {
  readonly id: string;
  readonly key: string;
  readonly projectKey: string;
  readonly issueType: string;
  summary: string;
  description: unknown;
  labels: string[];
  status: StandInStatus;
  /** set by a transition screen that asks for it */
  resolution: string | undefined;
  assignee: StandInUser | undefined;
  readonly createdMs: number;
  /** when the last transition moved it (the store's clock), undefined before any */
  statusChangedMs: number | undefined;
  readonly comments: StandInComment[];
}

/** What the search index knows about an issue, and from when. */
interface IndexEntry {
  readonly visibleAt: number;
  readonly view: JqlSubject & { readonly summary: string };
}

const CATEGORY_NAMES: Readonly<Record<StatusCategoryKey, { id: number; name: string; colorName: string }>> = {
  new: { id: 2, name: 'To Do', colorName: 'blue-gray' },
  indeterminate: { id: 4, name: 'In Progress', colorName: 'yellow' },
  done: { id: 3, name: 'Done', colorName: 'green' },
};

/** Jira's timestamp format, e.g. `2024-05-01T10:00:00.000+0000`. */
export const jiraTimestamp = (ms: number): string => new Date(ms).toISOString().replace('Z', '+0000');

export const statusJson = (status: StandInStatus) => ({
  id: status.id,
  name: status.name,
  statusCategory: { ...CATEGORY_NAMES[status.category], key: status.category },
});

/** Issues, the workflow, and a search index that lags behind writes by `searchLagMs`. */
export class IssueStore {
  readonly issues = new Map<string, StandInIssue>();
  readonly statuses: StandInStatus[];
  readonly transitions: StandInTransition[];
  searchLagMs: number;
  private readonly index = new Map<string, IndexEntry[]>();
  private nextNumber = 1;

  constructor(
    readonly projectKey: string,
    extraTransitions: readonly { name: string; toStatus: string; category?: StatusCategoryKey }[],
    searchLagMs: number,
    readonly now: () => number = Date.now,
    /** every transition into a done status has a screen that requires a resolution */
    resolutionScreens = false,
  ) {
    this.searchLagMs = searchLagMs;
    this.statuses = [
      { id: '10000', name: 'To Do', category: 'new' },
      { id: '10001', name: 'In Progress', category: 'indeterminate' },
      { id: '10002', name: 'Done', category: 'done' },
    ];
    const transitionTo = (
      name: string,
      statusName: string,
      category: StatusCategoryKey,
    ): StandInTransition => {
      let status = this.statuses.find((s) => s.name.toLowerCase() === statusName.toLowerCase());
      if (!status) {
        status = { id: String(10000 + this.statuses.length), name: statusName, category };
        this.statuses.push(status);
      }
      return {
        id: String(11 + 10 * this.transitions.length),
        name,
        to: status,
        resolutionScreen: resolutionScreens && status.category === 'done',
      };
    };
    this.transitions = [];
    for (const [name, status, category] of [
      ['To Do', 'To Do', 'new'],
      ['In Progress', 'In Progress', 'indeterminate'],
      ['Done', 'Done', 'done'],
    ] as const) {
      this.transitions.push(transitionTo(name, status, category));
    }
    for (const extra of extraTransitions) {
      this.transitions.push(transitionTo(extra.name, extra.toStatus, extra.category ?? 'done'));
    }
  }

  add(fields: {
    summary: string;
    description: unknown;
    labels: string[];
    issueType: string;
    assignee: StandInUser | undefined;
    statusName?: string;
    createdMs?: number;
  }): StandInIssue {
    const number = this.nextNumber;
    this.nextNumber += 1;
    const status = this.statuses.find((s) => s.name === fields.statusName) ?? this.statuses[0];
    if (!status) throw new Error('the workflow has no statuses');
    const issue: StandInIssue = {
      id: String(10000 + number),
      key: `${this.projectKey}-${number}`,
      projectKey: this.projectKey,
      issueType: fields.issueType,
      summary: fields.summary,
      description: fields.description,
      labels: fields.labels,
      status,
      resolution: undefined,
      assignee: fields.assignee,
      createdMs: fields.createdMs ?? this.now(),
      statusChangedMs: undefined,
      comments: [],
    };
    this.issues.set(issue.key, issue);
    this.reindex(issue);
    return issue;
  }

  /** Records the issue's current state in the search index, visible after the lag. */
  reindex(issue: StandInIssue, lagMs = this.searchLagMs): void {
    const entries = this.index.get(issue.key) ?? [];
    entries.push({
      visibleAt: this.now() + lagMs,
      view: {
        key: issue.key,
        projectKey: issue.projectKey,
        issueType: issue.issueType,
        labels: [...issue.labels],
        statusName: issue.status.name,
        statusCategory: issue.status.category,
        createdMs: issue.createdMs,
        summary: issue.summary,
      },
    });
    this.index.set(issue.key, entries);
  }

  /** What a search sees now: for each issue its newest index entry that has become visible. */
  search(query: JqlQuery): (JqlSubject & { summary: string })[] {
    const now = this.now();
    const visible: (JqlSubject & { summary: string })[] = [];
    for (const entries of this.index.values()) {
      const entry = entries.filter((e) => e.visibleAt <= now).at(-1);
      if (entry && query.matches(entry.view)) visible.push(entry.view);
    }
    return visible.sort(query.compare);
  }
}
