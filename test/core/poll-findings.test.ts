import { beforeEach, describe, expect, it } from 'vitest';
import { docToPlainText } from '../../src/core/document.js';
import { repositoryKeyOf, ticketLabelOf } from '../../src/core/repository-ref.js';
import {
  pollFindings,
  type DueRepository,
  type PollOptions,
} from '../../src/core/use-cases/poll-findings.js';
import { reconcileRepository } from '../../src/core/use-cases/reconcile-repository.js';
import { MANAGED_LABEL } from '../../src/core/tickets/ticket-content.js';
import { ecr2Finding, otherControlFinding, repositoryArn } from '../fixtures/ecr2-findings.js';
import { findingOf } from '../support/fake-ports.js';
import { harness, type Harness } from './pipeline-harness.js';

const A = { accountId: '111111111111', region: 'eu-west-1', repositoryName: 'alpha' } as const;
const B = { accountId: '222222222222', region: 'us-east-1', repositoryName: 'beta' } as const;
const keyA = repositoryKeyOf(repositoryArn(A.accountId, A.region, A.repositoryName));
const keyB = repositoryKeyOf(repositoryArn(B.accountId, B.region, B.repositoryName));
const repositoryA = findingOf(A).repository;

const AUTO: PollOptions = { mode: 'auto', overlapMs: 5 * 60_000, fullEveryMs: 24 * 3_600_000 };
const FULL: PollOptions = { ...AUTO, mode: 'full' };

/** the work queue of these tests: the due repositories are read from the result */
const queueNothing = async () => undefined;

const dueKeys = (result: { due: readonly { repositoryKey: string }[] }) =>
  result.due.map((due) => due.repositoryKey).sort();

describe('pollFindings', () => {
  let h: Harness;

  beforeEach(() => {
    h = harness({ pageSize: 2 });
    h.source.put(
      ecr2Finding({ ...A, uuid: 'a1', updatedAt: '2025-01-06T08:00:00.000Z' }),
      ecr2Finding({ ...A, uuid: 'a2', standard: 'pci-dss', updatedAt: '2025-01-07T08:00:00.000Z' }),
      ecr2Finding({ ...B, uuid: 'b1', updatedAt: '2025-01-05T08:00:00.000Z' }),
    );
  });

  it('reads everything first, then incrementally from the cursor minus the overlap', async () => {
    const full = await pollFindings(h.deps, AUTO, queueNothing);
    expect(full).toMatchObject({ mode: 'full', pages: 2, findings: 3, repositoriesSeen: 2 });
    expect(h.source.queries[0]).toEqual({ controlId: 'ECR.2' });
    expect(dueKeys(full)).toEqual([keyA, keyB].sort());
    expect(await h.state.getPollCursor()).toEqual({
      updatedAt: '2025-01-07T08:00:00.000Z',
      lastFullAt: '2025-01-10T12:00:00.000Z',
    });

    h.time.advance(60_000);
    const incremental = await pollFindings(h.deps, AUTO, queueNothing);
    expect(incremental.mode).toBe('incremental');
    expect(h.source.queries[1]?.updatedSince?.toISOString()).toBe('2025-01-07T07:55:00.000Z');
    expect(incremental.findings).toBe(1);
    expect((await h.state.getPollCursor())?.lastFullAt).toBe('2025-01-10T12:00:00.000Z');

    h.time.advance(AUTO.fullEveryMs);
    expect((await pollFindings(h.deps, AUTO, queueNothing)).mode).toBe('full');
  });

  it('moves the cursor only after the due repositories are queued, so a poll stopped in between loses nothing', async () => {
    const first = await pollFindings(h.deps, FULL, queueNothing);
    for (const due of first.due) await reconcileRepository(h.deps, due.repositoryKey);
    const cursorBefore = await h.state.getPollCursor();

    h.time.advance(60_000);
    h.source.put(
      ecr2Finding({ ...B, uuid: 'b1', compliance: 'PASSED', updatedAt: '2025-01-10T11:00:00.000Z' }),
    );
    const queueDown = async () => {
      throw new Error('Redis went away while queueing');
    };
    await expect(pollFindings(h.deps, AUTO, queueDown)).rejects.toThrow('Redis went away');
    expect(await h.state.getPollCursor()).toEqual(cursorBefore);

    h.time.advance(60_000);
    const queued: string[][] = [];
    const retry = await pollFindings(h.deps, AUTO, async (due) => {
      queued.push(due.map((entry) => entry.repositoryKey));
      // the cursor has not moved yet while the work is being queued
      expect(await h.state.getPollCursor()).toEqual(cursorBefore);
    });
    expect(retry.mode).toBe('incremental');
    expect(queued).toEqual([[keyB]]);
    expect((await h.state.getPollCursor())?.updatedAt).toBe('2025-01-10T11:00:00.000Z');
  });

  it('a poll stopped after queueing but before moving the cursor queues the same work again, nothing lost', async () => {
    const first = await pollFindings(h.deps, FULL, queueNothing);
    for (const due of first.due) await reconcileRepository(h.deps, due.repositoryKey);
    const cursorBefore = await h.state.getPollCursor();
    h.time.advance(60_000);
    h.source.put(
      ecr2Finding({ ...B, uuid: 'b1', compliance: 'PASSED', updatedAt: '2025-01-10T11:00:00.000Z' }),
    );

    const stopsAtCursor = new Proxy(h.state, {
      get(target, property) {
        if (property === 'setPollCursor') {
          return async () => {
            throw new Error('killed before the cursor was saved');
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const queued: (readonly DueRepository[])[] = [];
    const queue = async (due: readonly DueRepository[]) => {
      queued.push(due);
    };
    await expect(pollFindings({ ...h.deps, state: stopsAtCursor }, AUTO, queue)).rejects.toThrow('killed');
    expect(await h.state.getPollCursor()).toEqual(cursorBefore);

    h.time.advance(60_000);
    await pollFindings(h.deps, AUTO, queue);
    // the same repository with the same fingerprint: the same job id, so the queue keeps one job
    expect(queued).toHaveLength(2);
    expect(queued[1]).toEqual(queued[0]);
    expect(queued[0]?.map((due) => due.repositoryKey)).toEqual([keyB]);
  });

  it('makes one call and enqueues nothing when nothing changed since the last poll', async () => {
    const first = await pollFindings(h.deps, AUTO, queueNothing);
    for (const due of first.due) await reconcileRepository(h.deps, due.repositoryKey);
    const queriesBefore = h.source.queries.length;

    h.time.advance(60_000);
    const idle = await pollFindings(h.deps, { ...AUTO, overlapMs: 0 }, queueNothing);
    expect(idle.mode).toBe('incremental');
    expect(h.source.queries.length - queriesBefore).toBe(1);
    expect(idle.pages).toBe(1);
    expect(idle.due).toEqual([]);
  });

  it('counts and skips malformed findings, other controls and findings without a repository', async () => {
    h.source.put(
      { Id: 'broken-1', ProductArn: 'p', Resources: [] },
      'not even an object',
      otherControlFinding({ accountId: A.accountId, region: A.region, uuid: 'o1' }),
      {
        ...ecr2Finding({ ...A, uuid: 'x1' }),
        Resources: [{ Type: 'AwsAccount', Id: 'AWS::::Account:111111111111' }],
      },
    );
    const result = await pollFindings(h.deps, FULL, queueNothing);
    expect(result.skipped).toEqual({ 'other-control': 1, 'no-repository': 1, malformed: 2 });
    expect(result.findings).toBe(3);
    expect((await h.state.findingsOf(keyA)).map((finding) => finding.id)).toHaveLength(2);
  });

  it('marks a repository due only when its inputs differ from what was last acted on', async () => {
    await pollFindings(h.deps, FULL, queueNothing);
    await reconcileRepository(h.deps, keyA);
    expect(dueKeys(await pollFindings(h.deps, FULL, queueNothing))).toEqual([keyB]);
    await reconcileRepository(h.deps, keyB);
    expect(dueKeys(await pollFindings(h.deps, FULL, queueNothing))).toEqual([]);

    h.source.put(
      ecr2Finding({
        ...A,
        uuid: 'a1',
        compliance: 'PASSED',
        workflow: 'RESOLVED',
        updatedAt: '2025-01-09T00:00:00.000Z',
      }),
    );
    expect(dueKeys(await pollFindings(h.deps, AUTO, queueNothing))).toEqual([keyA]);
  });

  it('marks every repository due when the configuration changed', async () => {
    await pollFindings(h.deps, FULL, queueNothing);
    await reconcileRepository(h.deps, keyA);
    await reconcileRepository(h.deps, keyB);
    const changed = { ...h.deps, settings: { ...h.deps.settings, configVersion: 'v2' } };
    expect(dueKeys(await pollFindings(changed, FULL, queueNothing))).toEqual([keyA, keyB].sort());
  });

  it('forgets findings a full read no longer returns, which makes their repository due', async () => {
    await pollFindings(h.deps, FULL, queueNothing);
    await reconcileRepository(h.deps, keyA);
    await reconcileRepository(h.deps, keyB);
    h.source.remove(String(ecr2Finding({ ...B, uuid: 'b1' })['Id']));
    const result = await pollFindings(h.deps, FULL, queueNothing);
    expect(dueKeys(result)).toEqual([keyB]);
    expect(await h.state.findingsOf(keyB)).toEqual([]);
  });

  it('hands the finding ids to the state store page by page and keeps none of them itself', async () => {
    const calls: string[] = [];
    const open = h.state.seenFindings.bind(h.state);
    h.state.seenFindings = () => {
      const seen = open();
      return {
        add: async (ids) => {
          calls.push(`add ${ids.join(',')}`);
          return seen.add(ids);
        },
        retainOnlySeen: async () => {
          calls.push('retain');
          return seen.retainOnlySeen();
        },
        discard: async () => {
          calls.push('discard');
          return seen.discard();
        },
      };
    };
    const [a1, a2, b1] = [
      ecr2Finding({ ...A, uuid: 'a1' }),
      ecr2Finding({ ...A, uuid: 'a2', standard: 'pci-dss' }),
      ecr2Finding({ ...B, uuid: 'b1' }),
    ].map((finding) => String(finding['Id']));

    expect((await pollFindings(h.deps, FULL, queueNothing)).findings).toBe(3);
    expect(calls.splice(0)).toEqual([`add ${a1},${a2}`, `add ${b1}`, 'retain', 'discard']);

    h.time.advance(60_000);
    await pollFindings(h.deps, AUTO, queueNothing);
    expect(calls.splice(0).filter((call) => !call.startsWith('add'))).toEqual(['discard']);

    h.state.mergeFindings = async () => {
      throw new Error('Redis went away');
    };
    await expect(pollFindings(h.deps, FULL, queueNothing)).rejects.toThrow('Redis went away');
    expect(calls.splice(0)).toEqual(['discard']);
  });

  it('closes newer duplicate tickets of a repository and indexes the oldest', async () => {
    const label = ticketLabelOf(repositoryA);
    const oldest = h.tracker.seed({
      key: 'SEC-10',
      labels: [MANAGED_LABEL, label],
      created: '2025-01-01T00:00:00.000Z',
    });
    const newer = h.tracker.seed({
      key: 'SEC-11',
      labels: [MANAGED_LABEL, label],
      created: '2025-01-02T00:00:00.000Z',
    });
    const other = h.tracker.seed({ key: 'SEC-12', labels: [MANAGED_LABEL, 'hubwarden-r0123456789abcdef'] });

    const result = await pollFindings(h.deps, FULL, queueNothing);
    expect(result.duplicateTicketsClosed).toBe(1);
    expect(newer.status).toBe('done');
    expect(docToPlainText(newer.comments[0] ?? [])).toContain('Duplicate of SEC-10');
    expect(oldest.status).toBe('open');
    expect(oldest.comments).toEqual([]);
    expect(other.status).toBe('open');
    expect(await h.state.lookupTicketIndex(label)).toEqual({
      indexed: true,
      entry: { key: 'SEC-10', url: oldest.url, status: 'open' },
    });

    h.tracker.calls.length = 0;
    expect((await pollFindings(h.deps, FULL, queueNothing)).duplicateTicketsClosed).toBe(0);
    expect(h.tracker.writes()).toEqual([]);
  });

  // BUG (src/core/use-cases/poll-findings.ts:115-143): refreshTicketIndex closes the newer duplicate
  // but never re-points a repository record that holds it. A duplicate arises exactly when the record
  // names the NEWER ticket (the first was created, then its key was lost and a lagging search let a
  // second one be created), so afterwards hubwarden keeps updating and closing the duplicate it just
  // closed, while the ticket it kept stays open forever. Fix: when closing duplicate D in favour of K,
  // rewrite any record whose `ticket.key` is D to K (contentHash '' so it is rewritten), or have
  // reconcile prefer the index entry when it differs from the record.
  it('keeps working on the kept ticket when the record named the closed duplicate', async () => {
    const label = ticketLabelOf(repositoryA);
    h.tracker.seed({ key: 'SEC-10', labels: [MANAGED_LABEL, label], created: '2025-01-01T00:00:00.000Z' });
    await pollFindings(h.deps, FULL, queueNothing);
    await reconcileRepository(h.deps, keyA);
    expect((await h.state.getRecord(keyA))?.ticket?.key).toBe('SEC-10');

    // the record is lost and rebuilt on a duplicate (what a crash plus a lagging search leads to)
    const record = await h.state.getRecord(keyA);
    const duplicate = h.tracker.seed({ key: 'SEC-20', labels: [MANAGED_LABEL, label] });
    await h.state.putRecord({
      ...record!,
      ticket: { key: 'SEC-20', url: duplicate.url, status: 'open', contentHash: '', lastComment: undefined },
    });
    await pollFindings(h.deps, FULL, queueNothing);
    expect(duplicate.status).toBe('done');

    h.source.put(
      ecr2Finding({
        ...A,
        uuid: 'a1',
        compliance: 'PASSED',
        workflow: 'RESOLVED',
        updatedAt: '2025-01-09T00:00:00.000Z',
      }),
    );
    h.source.put(
      ecr2Finding({
        ...A,
        uuid: 'a2',
        standard: 'pci-dss',
        compliance: 'PASSED',
        workflow: 'RESOLVED',
        updatedAt: '2025-01-09T00:00:00.000Z',
      }),
    );
    await pollFindings(h.deps, FULL, queueNothing);
    await reconcileRepository(h.deps, keyA);
    expect(h.tracker.tickets.get('SEC-10')?.status).toBe('done');
  });

  it('does not create a duplicate when a lagging search builds the index right after a creation', async () => {
    h = harness({ tracker: { searchLagMs: 10_000 } });
    h.source.put(ecr2Finding({ ...A, uuid: 'a1' }));
    const first = await pollFindings(h.deps, FULL, queueNothing);
    await reconcileRepository(h.deps, first.due[0]!.repositoryKey);
    expect(h.tracker.tickets.size).toBe(1);

    await pollFindings(h.deps, FULL, queueNothing);
    expect((await h.state.lookupTicketIndex(ticketLabelOf(repositoryA))).entry).toBeUndefined();
    await reconcileRepository(h.deps, keyA);
    expect(h.tracker.tickets.size).toBe(1);

    h.time.advance(10_001);
    await pollFindings(h.deps, FULL, queueNothing);
    expect((await h.state.lookupTicketIndex(ticketLabelOf(repositoryA))).entry?.key).toBe('SEC-1');
  });
});
