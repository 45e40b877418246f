import type { Doc } from '../document.js';
import { releaseClaimIfRefused } from '../claims.js';
import { isHubwardenError } from '../errors.js';
import type { RepositoryRef } from '../model.js';
import type { Logger } from '../ports/logger.js';
import type { StateStore, TicketRecord } from '../ports/state-store.js';
import type { NewTicket, Ticket, TicketTracker } from '../ports/ticket-tracker.js';
import { ticketLabelOf } from '../repository-ref.js';
import { MANAGED_LABEL } from './ticket-content.js';

export type TicketOutcome = 'created' | 'updated' | 'closed' | 'reopened' | 'unchanged' | 'none';

/** A lifecycle step: the comment that explains it and the transition that performs it. */
export interface TicketStep {
  /** stable id of this step, so a rerun never posts its comment twice */
  readonly tag: string;
  readonly comment: Doc;
  readonly transition: string;
}

export interface EnsureTicketInput {
  readonly repository: RepositoryRef;
  readonly record: TicketRecord | undefined;
  /** a ticket key found elsewhere (e.g. in a finding's note), checked before searching */
  readonly hintKey: string | undefined;
  readonly content: NewTicket;
  readonly contentHash: string;
  /** `open`: the repository needs work; `closed`: it passes, was fixed, or is suppressed */
  readonly goal: 'open' | 'closed';
  /** the step to take when the ticket's status must change */
  readonly step: TicketStep | undefined;
  /** persists the record as soon as it changes (a created key must never be lost) */
  readonly save: (record: TicketRecord) => Promise<void>;
}

export interface TicketDeps {
  readonly tracker: TicketTracker;
  readonly state: StateStore;
  readonly log: Logger;
}

const toRecord = (ticket: Pick<Ticket, 'key' | 'url' | 'status'>, contentHash: string): TicketRecord => ({
  key: ticket.key,
  url: ticket.url,
  status: ticket.status,
  contentHash,
  lastComment: undefined,
});

/** Oldest open ticket first (the one to keep), else the most recent done one. */
export const preferredTicket = (tickets: readonly Ticket[]): Ticket | undefined => {
  const number = (key: string) => Number(key.slice(key.lastIndexOf('-') + 1));
  const byCreated = [...tickets].sort(
    (a, b) => a.created.localeCompare(b.created) || number(a.key) - number(b.key),
  );
  return byCreated.find((ticket) => ticket.status === 'open') ?? byCreated.at(-1);
};

/**
 * Finds the repository's ticket when hubwarden has no record of it: a hint read back from Security Hub,
 * then the bulk index, then a label search (which may lag behind a creation seconds ago).
 * The stored content hash is unknown, so the caller will rewrite the description once.
 */
const locate = async (
  deps: TicketDeps,
  input: EnsureTicketInput,
  gone?: string,
): Promise<TicketRecord | undefined> => {
  const label = ticketLabelOf(input.repository);
  if (input.hintKey && input.hintKey !== gone) {
    const hinted = await deps.tracker.get(input.hintKey);
    if (hinted?.labels.includes(label)) return toRecord(hinted, '');
  }
  const index = await deps.state.lookupTicketIndex(label);
  // An index built before `gone` was deleted still names it: then only a search can tell.
  if (index.indexed && (gone === undefined || index.entry?.key !== gone)) {
    return index.entry ? toRecord(index.entry, '') : undefined;
  }
  const found = preferredTicket(
    (await deps.tracker.findByLabels([MANAGED_LABEL, label])).filter((ticket) => ticket.key !== gone),
  );
  return found ? toRecord(found, '') : undefined;
};

/** How long an attempt to create a repository's ticket is remembered. */
const CREATE_MEMORY_MS = 24 * 3_600_000;

const isGone = (error: unknown): boolean => isHubwardenError(error) && error.code === 'jira.not_found';

/**
 * Ensure-ticket: exactly one ticket per repository, in the status the goal asks for, with current content.
 * Reads first, writes only what differs, records every write at once. Callers hold the repository lock.
 */
export const ensureTicket = async (
  deps: TicketDeps,
  input: EnsureTicketInput,
): Promise<{ record: TicketRecord | undefined; outcome: TicketOutcome }> => {
  try {
    return await ensureKnownTicket(deps, input, input.record ?? (await locate(deps, input)));
  } catch (error) {
    if (!isGone(error) || !input.record) throw error;
    // The recorded ticket was deleted in Jira: find or create another.
    deps.log.warn({ ticket: input.record.key }, 'recorded ticket no longer exists');
    return ensureKnownTicket(
      deps,
      input,
      await locate(deps, { ...input, record: undefined }, input.record.key),
    );
  }
};

const ensureKnownTicket = async (
  deps: TicketDeps,
  input: EnsureTicketInput,
  found: TicketRecord | undefined,
): Promise<{ record: TicketRecord | undefined; outcome: TicketOutcome }> => {
  if (!found) {
    if (input.goal !== 'open') return { record: undefined, outcome: 'none' };
    // A create whose answer was lost (timeout, crash) may have made a ticket: a second attempt looks first.
    const claimKey = `create-ticket:${input.repository.key}`;
    if (!(await deps.state.claim(claimKey, CREATE_MEMORY_MS))) {
      const earlier = preferredTicket(
        await deps.tracker.findByLabels([MANAGED_LABEL, ticketLabelOf(input.repository)]),
      );
      if (earlier) return ensureKnownTicket(deps, input, toRecord(earlier, ''));
    }
    const created = await deps.tracker
      .create(input.content)
      .catch(releaseClaimIfRefused(deps.state, claimKey));
    const record = toRecord(created, input.contentHash);
    await input.save(record);
    deps.log.info({ ticket: record.key }, 'ticket created');
    return { record, outcome: 'created' };
  }
  let record = found;
  let outcome: TicketOutcome = 'unchanged';
  if (record.contentHash !== input.contentHash) {
    await deps.tracker.update(record.key, {
      summary: input.content.summary,
      description: input.content.description,
      ...(input.content.assignee ? { assignee: input.content.assignee } : {}),
    });
    record = { ...record, contentHash: input.contentHash };
    await input.save(record);
    outcome = 'updated';
  }
  const wanted = input.goal === 'open' ? 'open' : 'done';
  if (record.status !== wanted && input.step) {
    if (record.lastComment !== input.step.tag) {
      await deps.tracker.comment(record.key, input.step.comment);
      record = { ...record, lastComment: input.step.tag };
      await input.save(record);
    }
    await deps.tracker.transition(record.key, input.step.transition);
    record = { ...record, status: wanted };
    await input.save(record);
    outcome = wanted === 'open' ? 'reopened' : 'closed';
    deps.log.info({ ticket: record.key, transition: input.step.transition }, `ticket ${outcome}`);
  } else if (record !== found || input.record === undefined) {
    await input.save(record);
  }
  return { record, outcome };
};
