import { beforeEach, describe, expect, it } from 'vitest';
import { paragraph, text } from '../../src/core/document.js';
import { HubwardenError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/ports/logger.js';
import type { TicketRecord } from '../../src/core/ports/state-store.js';
import type { NewTicket } from '../../src/core/ports/ticket-tracker.js';
import { ticketLabelOf } from '../../src/core/repository-ref.js';
import {
  ensureTicket,
  preferredTicket,
  type EnsureTicketInput,
  type TicketStep,
} from '../../src/core/tickets/ensure-ticket.js';
import { MANAGED_LABEL } from '../../src/core/tickets/ticket-content.js';
import { FakeTicketTracker, findingOf, manualClock } from '../support/fake-ports.js';
import { MemoryStateStore } from '../support/memory-state-store.js';

const repository = findingOf({
  accountId: '111111111111',
  region: 'eu-west-1',
  repositoryName: 'api',
}).repository;
const labels = [MANAGED_LABEL, ticketLabelOf(repository)];
const content = (summary = 'ECR.2: api'): NewTicket => ({
  summary,
  description: [paragraph(text(summary))],
  labels,
  assignee: { accountId: 'acc-1', userName: undefined },
});
const close: TicketStep = { tag: 'passed:f1', comment: [paragraph(text('passes'))], transition: 'Done' };
const reopen: TicketStep = {
  tag: 'reopen:f2',
  comment: [paragraph(text('fails again'))],
  transition: 'To Do',
};

describe('ensureTicket', () => {
  let time: ReturnType<typeof manualClock>;
  let tracker: FakeTicketTracker;
  let state: MemoryStateStore;
  let saved: TicketRecord[];
  let deps: { tracker: FakeTicketTracker; state: MemoryStateStore; log: typeof silentLogger };

  beforeEach(() => {
    time = manualClock();
    tracker = new FakeTicketTracker({ clock: time.clock });
    state = new MemoryStateStore({ clock: time.clock });
    saved = [];
    deps = { tracker, state, log: silentLogger };
  });

  const input = (over: Partial<EnsureTicketInput> = {}): EnsureTicketInput => ({
    repository,
    record: undefined,
    hintKey: undefined,
    content: content(),
    contentHash: 'h1',
    goal: 'open',
    step: reopen,
    save: async (record) => {
      saved.push(record);
    },
    ...over,
  });
  const last = () => saved.at(-1);

  it('creates a ticket when none exists and saves its key at once', async () => {
    const result = await ensureTicket(deps, input());
    expect(result.outcome).toBe('created');
    expect(result.record).toEqual({
      key: 'SEC-1',
      url: 'https://jira.example/browse/SEC-1',
      status: 'open',
      contentHash: 'h1',
      lastComment: undefined,
    });
    expect(last()).toEqual(result.record);
    expect(tracker.tickets.get('SEC-1')?.labels).toEqual(labels);
    expect(tracker.writes().map((call) => call.method)).toEqual(['create']);
  });

  it('creates nothing for a repository that passes and has no ticket', async () => {
    const result = await ensureTicket(deps, input({ goal: 'closed', step: close }));
    expect(result).toEqual({ record: undefined, outcome: 'none' });
    expect(tracker.writes()).toEqual([]);
  });

  it('adopts the ticket a finding note names, when it carries the repository label', async () => {
    tracker.seed({ key: 'SEC-40', labels });
    const result = await ensureTicket(deps, input({ hintKey: 'SEC-40' }));
    expect(result.outcome).toBe('updated');
    expect(result.record).toMatchObject({ key: 'SEC-40', contentHash: 'h1' });
    expect(tracker.writes().map((call) => call.method)).toEqual(['update']);
    expect(tracker.calls.some((call) => call.method === 'findByLabels')).toBe(false);
  });

  it('does not adopt a hinted ticket of another repository', async () => {
    tracker.seed({ key: 'SEC-41', labels: [MANAGED_LABEL, 'hubwarden-rffffffffffffffff'] });
    const result = await ensureTicket(deps, input({ hintKey: 'SEC-41' }));
    expect(result.outcome).toBe('created');
    expect(result.record?.key).not.toBe('SEC-41');
  });

  it('adopts from the ticket index without searching, and trusts "indexed, none" to create', async () => {
    tracker.seed({ key: 'SEC-50', labels });
    await state.putTicketIndex(
      new Map([[ticketLabelOf(repository), { key: 'SEC-50', url: 'u', status: 'open' }]]),
    );
    expect((await ensureTicket(deps, input())).record?.key).toBe('SEC-50');
    expect(tracker.calls.some((call) => call.method === 'findByLabels')).toBe(false);

    await state.putTicketIndex(new Map());
    expect((await ensureTicket(deps, input())).outcome).toBe('created');
  });

  it('searches before a second create, so a create whose answer was lost makes no duplicate', async () => {
    await state.putTicketIndex(new Map()); // built before the first attempt: "indexed, none"
    tracker.failNext('create', new Error('socket hang up'));
    await expect(ensureTicket(deps, input())).rejects.toThrow('socket hang up');
    tracker.seed({ key: 'SEC-70', labels }); // Jira had created it all the same
    time.advance(60_000); // past the search lag

    const result = await ensureTicket(deps, input());
    expect(result.record?.key).toBe('SEC-70');
    expect(tracker.calls.filter((call) => call.method === 'create')).toHaveLength(1);
  });

  it('creates without searching again after a create Jira refused with 429 (nothing was created)', async () => {
    await state.putTicketIndex(new Map());
    tracker.failNext(
      'create',
      new HubwardenError('Jira 429', {
        kind: 'rate-limited',
        code: 'jira.rate_limited',
        service: 'jira',
        retryAfterMs: 1_000,
      }),
    );
    await expect(ensureTicket(deps, input())).rejects.toThrow('Jira 429');

    const result = await ensureTicket(deps, input());
    expect(result.outcome).toBe('created');
    expect(tracker.calls.map((call) => call.method)).toEqual(['create', 'create']);
  });

  it('adopts from a label search when there is no index, preferring the oldest open ticket', async () => {
    tracker.seed({ key: 'SEC-60', labels, status: 'done', created: '2024-01-01T00:00:00.000Z' });
    tracker.seed({ key: 'SEC-61', labels, created: '2024-02-01T00:00:00.000Z' });
    tracker.seed({ key: 'SEC-62', labels, created: '2024-03-01T00:00:00.000Z' });
    const result = await ensureTicket(deps, input());
    expect(result.record?.key).toBe('SEC-61');
    expect(tracker.writes().some((call) => call.method === 'create')).toBe(false);
  });

  it('updates only when the content hash changes', async () => {
    const created = await ensureTicket(deps, input());
    tracker.calls.length = 0;
    const same = await ensureTicket(deps, input({ record: created.record }));
    expect(same.outcome).toBe('unchanged');
    expect(tracker.writes()).toEqual([]);

    const changed = await ensureTicket(
      deps,
      input({ record: created.record, content: content('new summary'), contentHash: 'h2' }),
    );
    expect(changed.outcome).toBe('updated');
    expect(tracker.tickets.get('SEC-1')?.summary).toBe('new summary');
    expect(changed.record?.contentHash).toBe('h2');
    expect(last()?.contentHash).toBe('h2');
  });

  it('closes with a comment once, and a rerun after a crash between comment and transition does not comment twice', async () => {
    const created = await ensureTicket(deps, input());
    tracker.failNext('transition', new Error('crash before the transition'));
    await expect(
      ensureTicket(deps, input({ record: created.record, goal: 'closed', step: close })),
    ).rejects.toThrow('crash');
    const afterCrash = last();
    expect(afterCrash).toMatchObject({ status: 'open', lastComment: 'passed:f1' });
    expect(tracker.tickets.get('SEC-1')?.comments).toHaveLength(1);

    const rerun = await ensureTicket(deps, input({ record: afterCrash, goal: 'closed', step: close }));
    expect(rerun.outcome).toBe('closed');
    expect(tracker.tickets.get('SEC-1')).toMatchObject({ status: 'done' });
    expect(tracker.tickets.get('SEC-1')?.comments).toHaveLength(1);

    tracker.calls.length = 0;
    const again = await ensureTicket(deps, input({ record: rerun.record, goal: 'closed', step: close }));
    expect(again.outcome).toBe('unchanged');
    expect(tracker.writes()).toEqual([]);
  });

  it('reopens a closed ticket with its own comment', async () => {
    const created = await ensureTicket(deps, input());
    const closed = await ensureTicket(deps, input({ record: created.record, goal: 'closed', step: close }));
    const reopened = await ensureTicket(deps, input({ record: closed.record, goal: 'open', step: reopen }));
    expect(reopened.outcome).toBe('reopened');
    expect(reopened.record).toMatchObject({ status: 'open', lastComment: 'reopen:f2' });
    expect(tracker.tickets.get('SEC-1')?.status).toBe('open');
    expect(tracker.tickets.get('SEC-1')?.comments).toHaveLength(2);
    expect(tracker.writes().filter((call) => call.method === 'create')).toHaveLength(1);
  });

  it('leaves the status alone when no step is given', async () => {
    const created = await ensureTicket(deps, input());
    const result = await ensureTicket(
      deps,
      input({ record: created.record, goal: 'closed', step: undefined }),
    );
    expect(result.outcome).toBe('unchanged');
    expect(tracker.tickets.get('SEC-1')?.status).toBe('open');
  });

  it('creates another ticket when the recorded one was deleted in Jira', async () => {
    const created = await ensureTicket(deps, input());
    tracker.deleteTicket('SEC-1');
    const result = await ensureTicket(
      deps,
      input({ record: created.record, content: content('changed'), contentHash: 'h2' }),
    );
    expect(result.outcome).toBe('created');
    expect(result.record?.key).toBe('SEC-2');
    expect(last()?.key).toBe('SEC-2');
  });

  it('adopts another existing ticket when the recorded one was deleted', async () => {
    const created = await ensureTicket(deps, input());
    tracker.seed({ key: 'SEC-70', labels });
    tracker.deleteTicket('SEC-1');
    const result = await ensureTicket(deps, input({ record: created.record, goal: 'closed', step: close }));
    expect(result.record?.key).toBe('SEC-70');
    expect(tracker.tickets.get('SEC-70')?.status).toBe('done');
  });

  // BUG (src/core/tickets/ensure-ticket.ts:90-93, with locate at :68-69): after the recorded ticket
  // turns out deleted (`jira.not_found`), the fallback `locate` trusts the ticket index, which a
  // full poll built while that very ticket still existed. It answers the deleted key again, the
  // second write throws `jira.not_found` uncaught, and the job fails for good until the next full
  // poll rebuilds the index. Fix: in the fallback, skip index entries / search hits whose key is the
  // gone one (or confirm an index entry with `tracker.get` before adopting it).
  it('recovers from a deleted ticket even when the index still names it', async () => {
    const created = await ensureTicket(deps, input());
    await state.putTicketIndex(
      new Map([[ticketLabelOf(repository), { key: 'SEC-1', url: 'u', status: 'open' }]]),
    );
    tracker.deleteTicket('SEC-1');
    const result = await ensureTicket(
      deps,
      input({ record: created.record, content: content('changed'), contentHash: 'h2' }),
    );
    expect(result.outcome).toBe('created');
  });

  it('does not hide other errors behind a not-found recovery', async () => {
    const created = await ensureTicket(deps, input());
    tracker.failNext('update', new Error('jira down'));
    await expect(ensureTicket(deps, input({ record: created.record, contentHash: 'h2' }))).rejects.toThrow(
      'jira down',
    );
    expect(tracker.writes().filter((call) => call.method === 'create')).toHaveLength(1);
  });
});

describe('preferredTicket', () => {
  const ticket = (key: string, created: string, status: 'open' | 'done') => ({
    key,
    url: key,
    summary: key,
    status,
    statusName: status,
    labels: [],
    created,
  });

  it('keeps the oldest open ticket, else the newest done one', () => {
    expect(
      preferredTicket([
        ticket('A-3', '2024-03', 'open'),
        ticket('A-2', '2024-02', 'open'),
        ticket('A-1', '2024-01', 'done'),
      ])?.key,
    ).toBe('A-2');
    expect(preferredTicket([ticket('A-1', '2024-01', 'done'), ticket('A-2', '2024-02', 'done')])?.key).toBe(
      'A-2',
    );
    expect(preferredTicket([])).toBeUndefined();
  });
});
