import type { Doc } from '../document.js';

export type TicketStatusCategory = 'open' | 'done';

export interface Ticket {
  readonly key: string;
  readonly url: string;
  readonly summary: string;
  readonly status: TicketStatusCategory;
  /** the workflow status name as Jira shows it */
  readonly statusName: string;
  readonly labels: readonly string[];
  /** ISO timestamp */
  readonly created: string;
}

/** Who a ticket is assigned to: Jira Cloud uses account ids, Data Center user names. */
export interface Assignee {
  readonly accountId: string | undefined;
  readonly userName: string | undefined;
}

export interface NewTicket {
  readonly summary: string;
  readonly description: Doc;
  readonly labels: readonly string[];
  readonly assignee: Assignee | undefined;
}

export interface TicketChanges {
  readonly summary?: string;
  readonly description?: Doc;
  readonly assignee?: Assignee;
}

/** The ticket tracker (Jira Cloud or Data Center). Every method throws a classified `HubwardenError`. */
export interface TicketTracker {
  /** tickets carrying every one of these labels (search; may lag behind creation) */
  findByLabels(labels: readonly string[]): Promise<Ticket[]>;
  /** one ticket read by key (strongly consistent); `undefined` when it no longer exists */
  get(key: string): Promise<Ticket | undefined>;
  create(ticket: NewTicket): Promise<Ticket>;
  update(key: string, changes: TicketChanges): Promise<void>;
  comment(key: string, body: Doc): Promise<void>;
  /** moves the ticket through the transition with this name; no-op when already in the target status */
  transition(key: string, transitionName: string): Promise<void>;
  /** account id (Cloud) or user name (Data Center) of the user with this e-mail address */
  findUserByEmail(email: string): Promise<Assignee | undefined>;
}
