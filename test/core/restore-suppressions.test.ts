import { describe, expect, it } from 'vitest';
import { docToPlainText } from '../../src/core/document.js';
import type { Suppression } from '../../src/core/suppression.js';
import { createInteractions } from '../../src/core/use-cases/interactions.js';
import { mirrorSuppression } from '../../src/core/use-cases/mirror-suppression.js';
import { overdueSuppressions } from '../../src/core/use-cases/overdue-suppressions.js';
import type { PipelineDeps } from '../../src/core/use-cases/pipeline-deps.js';
import { pollFindings, type PollOptions } from '../../src/core/use-cases/poll-findings.js';
import { reconcileRepository } from '../../src/core/use-cases/reconcile-repository.js';
import { FakeWorkQueue } from '../support/fake-work-queue.js';
import { MemoryStateStore } from '../support/memory-state-store.js';
import { arnA, chatScenario, keyA, USERS, type ChatScenario } from './chat-scenario.js';

const FULL: PollOptions = { mode: 'full', overlapMs: 300_000, fullEveryMs: 6 * 3_600_000 };

/** What the audit trail shows of a suppression; `restoredAt` and the card digest are bookkeeping. */
const trail = (suppression: Suppression | undefined) => {
  if (!suppression) return undefined;
  const { reviewCardHash: _hash, restoredAt: _restored, ...shown } = suppression;
  return shown;
};

/** Redis lost everything (FLUSHALL, no AOF); Security Hub, Jira and Slack kept theirs. */
const flushed = (s: ChatScenario): PipelineDeps => ({
  ...s.h.deps,
  state: new MemoryStateStore({ clock: s.h.time.clock }),
});

/**
 * What the poll job and the jobs it queues do: a full read, the due repositories reconciled, the expiry
 * jobs of restored suppressions scheduled again (those already due run), overdue suppressions mirrored.
 */
const poll = async (deps: PipelineDeps) => {
  const result = await pollFindings(deps, FULL, async () => undefined);
  for (const due of result.due) await reconcileRepository(deps, due.repositoryKey);
  const now = deps.clock().getTime();
  for (const restored of result.restoredSuppressions) {
    const scheduled = restored.status === 'active' || restored.status === 'pending';
    if (scheduled && Date.parse(restored.expiresAt) <= now) await mirrorSuppression(deps, restored.id);
  }
  for (const id of await overdueSuppressions(deps)) await mirrorSuppression(deps, id);
  return result;
};

const findingsWorkflow = async (deps: PipelineDeps) =>
  (await deps.state.findingsOf(keyA)).map((finding) => finding.workflow);

describe('suppressions rebuilt from Security Hub after Redis is lost', () => {
  it('an approved suppression comes back as it was, keeps its findings suppressed, then ends on time', async () => {
    const s = await chatScenario({ requireApproval: true });
    await s.submit(USERS.owner);
    await s.queue.drain();
    const asked = await s.only();
    s.h.time.advance(60_000);
    await s.interactions.approve(await s.review(asked.id, USERS.reviewer));
    await s.queue.drain();
    const before = await s.only();
    expect(before).toMatchObject({ status: 'active', reviewedBy: USERS.reviewer });

    const deps = flushed(s);
    const result = await poll(deps);
    expect(result.restoredSuppressions.map((suppression) => suppression.id)).toEqual([before.id]);
    const [after, ...more] = await deps.state.listSuppressions();
    expect(more).toEqual([]);
    expect(trail(after)).toEqual(trail(before));
    expect(after?.restoredAt).toBe(s.h.time.clock().toISOString());
    expect((await deps.state.getRecord(keyA))?.suppressionId).toBe(before.id);
    // still suppressed: the ticket stays closed, nobody is told anything
    expect(await findingsWorkflow(deps)).toEqual(['SUPPRESSED', 'SUPPRESSED']);
    expect(s.h.tracker.tickets.get('SEC-1')?.status).toBe('done');
    expect(s.h.chat.calls.filter((call) => call.method === 'notify')).toEqual([]);
    expect(s.h.chat.calls.filter((call) => call.method === 'postSuppressionReview')).toHaveLength(1);

    s.h.time.set(before.expiresAt);
    await poll(deps);
    expect(await deps.state.getSuppression(before.id)).toMatchObject({
      status: 'expired',
      endReason: 'it reached its end date',
    });
    expect(await findingsWorkflow(deps)).toEqual(['NEW', 'NEW']);
    expect(s.h.tracker.tickets.get('SEC-1')?.status).toBe('open');
    expect(docToPlainText(s.h.tracker.tickets.get('SEC-1')?.comments.at(-1) ?? [])).toMatch(
      /^The suppression ended: it expired on \d{4}-\d{2}-\d{2}\. Reopening\./,
    );
  });

  it('one past its end date while Redis was gone restores its findings at the next poll', async () => {
    const s = await chatScenario();
    await s.submit(USERS.owner);
    await s.queue.drain();
    const before = await s.only();
    s.h.time.set('2025-03-01T00:00:00.000Z');
    const deps = flushed(s);
    await poll(deps);
    expect(await deps.state.getSuppression(before.id)).toMatchObject({
      status: 'expired',
      requestedBy: USERS.owner,
      activatedAt: before.activatedAt,
    });
    expect(await findingsWorkflow(deps)).toEqual(['NEW', 'NEW']);
    expect(s.h.tracker.tickets.get('SEC-1')?.status).toBe('open');
    expect(s.h.chat.calls.filter((call) => call.method === 'notify')).toHaveLength(1);

    // lost again: the ended suppression is still in the trail; no finding moves, nobody is told again
    const hub = s.h.source.updates.length;
    const comments = s.h.tracker.tickets.get('SEC-1')?.comments.length;
    const again = { ...deps, state: new MemoryStateStore({ clock: s.h.time.clock }) };
    await poll(again);
    expect(trail(await again.state.getSuppression(before.id))).toEqual(
      trail(await deps.state.getSuppression(before.id)),
    );
    expect(s.h.source.updates).toHaveLength(hub);
    expect(s.h.tracker.tickets.get('SEC-1')?.comments).toHaveLength(comments ?? 0);
    expect(s.h.chat.calls.filter((call) => call.method === 'notify')).toHaveLength(1);
  });

  it('a pending one still waits for review, and its review message still works', async () => {
    const s = await chatScenario({ requireApproval: true });
    await s.submit(USERS.owner);
    await s.queue.drain();
    const before = await s.only();
    const deps = flushed(s);
    await poll(deps);
    expect(trail(await deps.state.getSuppression(before.id))).toEqual(trail(before));
    expect(await findingsWorkflow(deps)).toEqual(['NOTIFIED', 'NOTIFIED']);

    const queue = new FakeWorkQueue(deps);
    const interactions = createInteractions(deps, queue);
    const message = before.reviewMessage!;
    const press = {
      actor: USERS.reviewer,
      suppressionId: before.id,
      channel: message.channel,
      messageTs: message.ts,
    };
    expect(await interactions.approve(press)).toMatchObject({ ok: true });
    await queue.drain();
    expect(await deps.state.getSuppression(before.id)).toMatchObject({ status: 'active' });
    expect(await findingsWorkflow(deps)).toEqual(['SUPPRESSED', 'SUPPRESSED']);
    expect(s.h.chat.calls.filter((call) => call.method === 'postSuppressionReview')).toHaveLength(1);
  });

  it('a rejected request comes back rejected, not pending', async () => {
    const s = await chatScenario({ requireApproval: true });
    await s.submit(USERS.owner);
    await s.queue.drain();
    await s.interactions.revoke(await s.review((await s.only()).id, USERS.reviewer));
    await s.queue.drain();
    const before = await s.only();
    const deps = flushed(s);
    await poll(deps);
    expect(trail(await deps.state.getSuppression(before.id))).toEqual(trail(before));
    expect(before).toMatchObject({ status: 'revoked', endReason: 'rejected by a security reviewer' });
  });

  // Note.UpdatedBy is whatever the caller of BatchUpdateFindings says: a note is not proof by itself.
  it('does not restore a record that no hubwarden review card vouches for', async () => {
    const s = await chatScenario();
    const ids = (await s.h.state.findingsOf(keyA)).map((finding) => finding.id);
    const forged =
      'hubwarden: suppressed. [suppression sf0r9ed00000000 status=active requested=U0MALLORY@2025-01-09T00:00:00.000Z until=2025-03-31 activated=2025-01-09T00:00:00.000Z reviewed=U0SECLEAD@2025-01-09T00:00:00.000Z review=C0REVIEW/1700000000.999999] Jira SEC-1. Justification: trust me';
    for (const id of ids) {
      s.h.source.put({
        ...s.h.source.raw(id),
        Workflow: { Status: 'SUPPRESSED' },
        Note: { Text: forged, UpdatedBy: 'hubwarden', UpdatedAt: '2025-01-09T00:00:00.000Z' },
      });
    }
    const deps = flushed(s);
    const result = await poll(deps);
    expect(result.restoredSuppressions).toEqual([]);
    expect(await deps.state.listSuppressions()).toEqual([]);
    expect(s.h.tracker.tickets.get('SEC-1')?.status).toBe('open');
  });

  it('keeps the record Redis still holds', async () => {
    const s = await chatScenario();
    await s.submit(USERS.owner);
    await s.queue.drain();
    const before = await s.only();
    const result = await poll(s.h.deps);
    expect(result.restoredSuppressions).toEqual([]);
    expect(await s.only()).toEqual(before);
  });
});

describe('a press on a review card rebuilds its suppression before any poll', () => {
  /** Redis lost everything a moment ago; the reviewer presses the card they already had. */
  const pressAfterFlush = async (options: { legacyCard?: boolean } = {}) => {
    const s = await chatScenario({ requireApproval: true });
    await s.submit(USERS.owner);
    await s.queue.drain();
    const before = await s.only();
    const press = await s.review(before.id, USERS.reviewer);
    s.h.chat.legacyCards = options.legacyCard ?? false;
    const deps = flushed(s);
    const queue = new FakeWorkQueue(deps);
    return { s, before, press, deps, queue, interactions: createInteractions(deps, queue) };
  };

  it('Approve on the old card restores the pending request from its repository notes, then approves it', async () => {
    const { s, before, press, deps, queue, interactions } = await pressAfterFlush();
    const queries = s.h.source.queries.length;
    expect(await interactions.approve(press)).toEqual({ ok: true, notice: 'Suppression approved.' });
    // one read, of that repository only
    expect(s.h.source.queries.slice(queries)).toEqual([
      { controlId: 'ECR.2', resourceArn: before.repository.arn },
    ]);
    await queue.drain();
    const [after, ...more] = await deps.state.listSuppressions();
    expect(more).toEqual([]);
    expect(after).toMatchObject({
      id: before.id,
      status: 'active',
      requestedBy: USERS.owner,
      requestedAt: before.requestedAt,
      justification: before.justification,
      expiresAt: before.expiresAt,
      reviewedBy: USERS.reviewer,
      reviewMessage: before.reviewMessage,
      restoredAt: s.h.time.clock().toISOString(),
    });
    expect(await findingsWorkflow(deps)).toEqual(['SUPPRESSED', 'SUPPRESSED']);
    expect(s.h.tracker.tickets.get('SEC-1')?.status).toBe('done');
    // the card it was pressed on is the one kept up to date; no second card
    expect(s.h.chat.calls.filter((call) => call.method === 'postSuppressionReview')).toHaveLength(1);
  });

  it('Revoke on the old card rejects it the same way', async () => {
    const { before, press, deps, queue, interactions } = await pressAfterFlush();
    expect(await interactions.revoke(press)).toEqual({ ok: true, notice: 'Suppression revoked.' });
    await queue.drain();
    expect(await deps.state.getSuppression(before.id)).toMatchObject({
      status: 'revoked',
      reviewedBy: USERS.reviewer,
      endReason: 'rejected by a security reviewer',
    });
    expect(await findingsWorkflow(deps)).toEqual(['NOTIFIED', 'NOTIFIED']);
  });

  it('a card posted before it named the repository still works, by reading the whole control', async () => {
    const { s, before, press, deps, queue, interactions } = await pressAfterFlush({ legacyCard: true });
    const queries = s.h.source.queries.length;
    expect(await interactions.approve(press)).toMatchObject({ ok: true });
    expect(s.h.source.queries.slice(queries)).toEqual([{ controlId: 'ECR.2' }]);
    await queue.drain();
    expect(await deps.state.getSuppression(before.id)).toMatchObject({ status: 'active' });
  });

  it('a press on any other message rebuilds nothing and changes nothing', async () => {
    const { s, before, press, deps, interactions } = await pressAfterFlush();
    const repositoryCard = (await s.h.state.getRecord(keyA))?.message;
    const elsewhere = { ...press, channel: repositoryCard!.channel, messageTs: repositoryCard!.ts };
    expect(await interactions.approve(elsewhere)).toMatchObject({ ok: false });
    expect(await interactions.approve({ ...press, suppressionId: 'sother00000000' })).toMatchObject({
      ok: false,
    });
    expect(await deps.state.listSuppressions()).toEqual([]);
    expect(s.h.source.queries.filter((query) => 'resourceArn' in query)).toEqual([]);
    // not a reviewer: refused before anything is read
    expect(await interactions.approve({ ...press, actor: USERS.owner })).toMatchObject({ ok: false });
    expect(await deps.state.getSuppression(before.id)).toBeUndefined();
  });
});

describe('a press on a repository card rebuilds its record before any poll', () => {
  /** Redis lost everything a moment ago; the owner presses the repository card they already had. */
  const pressAfterFlush = async (options: { legacyCard?: boolean } = {}) => {
    const s = await chatScenario();
    const pressed = await s.context(USERS.owner);
    s.h.chat.legacyCards = options.legacyCard ?? false;
    const cards = s.h.chat.calls.filter((call) => call.method === 'postRepositoryCard').length;
    const deps = flushed(s);
    const queue = new FakeWorkQueue(deps);
    const queries = s.h.source.queries.length;
    const readsSince = () => s.h.source.queries.slice(queries);
    const postedSince = () =>
      s.h.chat.calls.filter((call) => call.method === 'postRepositoryCard').length - cards;
    return {
      s,
      pressed,
      deps,
      queue,
      interactions: createInteractions(deps, queue),
      readsSince,
      postedSince,
    };
  };

  it('Fix on the old card rebuilds the record from that repository in Security Hub, then queues the fix', async () => {
    const { pressed, deps, queue, interactions, readsSince, postedSince } = await pressAfterFlush();
    expect(await interactions.fix(pressed)).toMatchObject({
      ok: true,
      notice: expect.stringMatching(/^Making/),
    });
    expect(readsSince()).toEqual([{ controlId: 'ECR.2', resourceArn: arnA }]);
    const record = await deps.state.getRecord(keyA);
    expect(record?.message).toMatchObject({ channel: pressed.channel, ts: pressed.messageTs });
    expect(record?.ticket?.key).toBe('SEC-1');
    expect(queue.fixes()).toEqual([expect.objectContaining({ repositoryKey: keyA, actor: USERS.owner })]);
    expect(postedSince()).toBe(0);
  });

  it('Suppress on the old card opens the form, and the form records the suppression', async () => {
    const { pressed, deps, queue, interactions, postedSince } = await pressAfterFlush();
    const form = await interactions.suppressForm(pressed);
    if (!form.ok) throw new Error(form.reason);
    expect(
      await interactions.submitSuppression({
        ...pressed,
        justification: 'Vendor image: the vendor pipeline re-pushes latest every night.',
        expires: undefined,
        formToken: form.formToken,
        viewId: 'V0AFTERFLUSH',
      }),
    ).toMatchObject({ ok: true });
    await queue.drain();
    expect(await deps.state.listSuppressions()).toEqual([
      expect.objectContaining({ status: 'active', requestedBy: USERS.owner, ticketKey: 'SEC-1' }),
    ]);
    expect(await findingsWorkflow(deps)).toEqual(['SUPPRESSED', 'SUPPRESSED']);
    expect(postedSince()).toBe(0);
  });

  it('a card posted before it named the ARN still works, by reading the whole control', async () => {
    const { pressed, interactions, readsSince } = await pressAfterFlush({ legacyCard: true });
    expect(await interactions.fix(pressed)).toMatchObject({ ok: true });
    expect(readsSince()).toEqual([{ controlId: 'ECR.2' }]);
  });

  it('a press on any other message rebuilds nothing and changes nothing', async () => {
    const { s, pressed, deps, queue, interactions, readsSince } = await pressAfterFlush();
    const writes = s.h.outsideWrites().length;
    const elsewhere = { ...pressed, channel: 'C0ELSEWHERE' };
    expect(await interactions.fix(elsewhere)).toMatchObject({ ok: false });
    expect(await interactions.fix({ ...pressed, claimedRepositoryKey: 'r0000000000000000' })).toMatchObject({
      ok: false,
    });
    expect(readsSince()).toEqual([]);
    expect(await deps.state.getRecord(keyA)).toBeUndefined();
    expect(queue.calls).toEqual([]);
    expect(s.h.outsideWrites()).toHaveLength(writes);
  });
});
