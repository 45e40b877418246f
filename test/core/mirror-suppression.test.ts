import { describe, expect, it } from 'vitest';
import { docToPlainText } from '../../src/core/document.js';
import { mirrorSuppression } from '../../src/core/use-cases/mirror-suppression.js';
import { auditRecordOf, parseAuditRecord } from '../../src/core/suppressions/audit-record.js';
import { chatScenario, keyA, USERS, type ChatScenario } from './chat-scenario.js';

const TYPED = 'Vendor image \u202eoverride\u202c: their pipeline re-pushes latest nightly. <!here>';
const STORED = 'Vendor image override: their pipeline re-pushes latest nightly. <!here>';
const END = '2025-02-09T23:59:59.000Z';

const comments = (s: ChatScenario) =>
  (s.h.tracker.tickets.get('SEC-1')?.comments ?? []).map((comment) => docToPlainText(comment));
const transitions = (s: ChatScenario) =>
  s.h.tracker.writes().flatMap((call) => (call.method === 'transition' ? [call.name] : []));
const workflowUpdates = (s: ChatScenario, workflow: string) =>
  s.h.source.updates.filter((update) => update.workflow === workflow);
const chatCalls = (s: ChatScenario, method: string) =>
  s.h.chat.calls.filter((call) => call.method === method);

/** A suppression asked for by the repository's owner and carried out by the queue. */
const suppressed = async (options: { requireApproval?: boolean } = {}) => {
  const s = await chatScenario(options);
  expect(await s.submit(USERS.owner, TYPED)).toMatchObject({ ok: true });
  await s.queue.drain();
  return { s, suppression: await s.only() };
};

describe('mirrorSuppression', () => {
  it('carries an active suppression to findings, ticket, the card and the review channel', async () => {
    const { s, suppression } = await suppressed();
    expect(suppression).toMatchObject({ status: 'active', justification: STORED, expiresAt: END });

    const [update, ...more] = workflowUpdates(s, 'SUPPRESSED');
    expect(more).toEqual([]);
    expect(update?.findings).toHaveLength(2);
    // the note names the review message, posted before the findings were suppressed
    expect(update?.note).toBe(
      `hubwarden: suppressed. [suppression ${suppression.id} status=active owner=payments requested=${USERS.owner}@2025-01-10T12:00:00.000Z until=2025-02-09 activated=2025-01-10T12:00:00.000Z review=C0REVIEW/${suppression.reviewMessage?.ts}] Jira SEC-1. Slack C0PAYMENTS/1700000000.000001. Justification: ${STORED}`,
    );
    expect((await s.h.state.findingsOf(keyA)).every((finding) => finding.workflow === 'SUPPRESSED')).toBe(
      true,
    );

    expect(transitions(s)).toEqual(['Suppressed']);
    expect(s.h.tracker.tickets.get('SEC-1')?.status).toBe('done');
    const [comment, ...otherComments] = comments(s);
    expect(otherComments).toEqual([]);
    expect(
      comment?.startsWith(`Suppressed by ${USERS.owner} until 2025-02-09. Justification:\n${STORED}\n`),
    ).toBe(true);
    // the same audit record as the Security Hub note, parseable from the comment
    expect(parseAuditRecord(comment ?? '')?.record).toEqual(auditRecordOf(await s.only()));

    const posts = chatCalls(s, 'postSuppressionReview');
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({ channel: 'C0REVIEW', review: { actions: ['approve', 'revoke'] } });
    expect(suppression.reviewMessage).toMatchObject({ channel: 'C0REVIEW' });
    expect(await s.reviewCard(suppression.id)).toMatchObject({
      suppression: { id: suppression.id },
      ticket: { key: 'SEC-1' },
    });
    expect(await s.card()).toMatchObject({ phase: 'suppressed', actor: USERS.owner, actions: ['fix'] });
    expect((await s.h.state.getRecord(keyA))?.suppressionId).toBe(suppression.id);
    expect(chatCalls(s, 'notify')).toEqual([]);
  });

  it('run again, it writes nothing to Security Hub or Jira and posts nothing twice', async () => {
    const { s, suppression } = await suppressed();
    const hub = s.h.source.updates.length;
    const jira = s.h.tracker.writes().length;
    const cards = chatCalls(s, 'postRepositoryCard').length;
    await mirrorSuppression(s.h.deps, suppression.id);
    await mirrorSuppression(s.h.deps, suppression.id);
    expect(s.h.source.updates).toHaveLength(hub);
    expect(s.h.tracker.writes()).toHaveLength(jira);
    expect(chatCalls(s, 'postRepositoryCard')).toHaveLength(cards);
    expect(chatCalls(s, 'postSuppressionReview')).toHaveLength(1);
  });

  // BUG (minor; src/core/use-cases/reconcile-repository.ts:152-160 with mirror-suppression.ts:67-68):
  // the repository card carries the whole `Suppression`, and its digest (ensure-message.ts:9) covers
  // every field. The first mirror posts the card, then posts the review message and stores
  // `reviewMessage` on the suppression, so the card's digest is stale at once: the next mirror or
  // poll calls `chat.update` on the repository message for a change nobody can see. Fix: hash (or
  // pass) only what the card shows, e.g. omit `reviewMessage` from `card.suppression`, or post the
  // review message before reconciling.
  it('run again, it does not touch the repository card either', async () => {
    const { s, suppression } = await suppressed();
    const cards = chatCalls(s, 'updateRepositoryCard').length;
    await mirrorSuppression(s.h.deps, suppression.id);
    expect(chatCalls(s, 'updateRepositoryCard')).toHaveLength(cards);
  });

  // BUG (minor; src/core/use-cases/mirror-suppression.ts:60-62): once the review message exists,
  // every mirror run calls `chat.updateSuppressionReview` whether or not what it shows changed, so a
  // retried job, or the expiry job of an already revoked suppression, rewrites the Slack message for
  // nothing (a Slack call counted against chat.update's rate limit). Every other write is an "ensure"
  // (read, compare, write only what differs). Fix: keep a digest of the review card on the suppression (as `MessageRecord.contentHash`
  // does for repository cards) and skip the update when it is unchanged.
  it('does not rewrite the review message when nothing it shows changed', async () => {
    const { s, suppression } = await suppressed();
    await mirrorSuppression(s.h.deps, suppression.id);
    expect(chatCalls(s, 'updateSuppressionReview')).toEqual([]);
  });

  // The window between chat.postMessage succeeding and the review message being saved: a crash there
  // (here: the answer is lost) leaves a claim, so the retry finds the card by its metadata.
  it('a review card whose post answer was lost is found again, not posted twice', async () => {
    const s = await chatScenario();
    const post = s.h.chat.postSuppressionReview.bind(s.h.chat);
    let lose = true;
    s.h.chat.postSuppressionReview = async (channel, review) => {
      const ref = await post(channel, review);
      if (lose) {
        lose = false;
        throw new Error('socket hang up');
      }
      return ref;
    };
    await s.submit(USERS.owner, TYPED);
    await expect(s.queue.drain()).rejects.toThrow('socket hang up');
    const suppression = await s.only();
    expect(suppression.reviewMessage).toBeUndefined();

    await mirrorSuppression(s.h.deps, suppression.id);
    expect(chatCalls(s, 'postSuppressionReview')).toHaveLength(1);
    expect(chatCalls(s, 'findSuppressionReview')).toHaveLength(1);
    const [posted] = [...s.h.chat.messages.keys()].filter((id) => id.startsWith('C0REVIEW:'));
    expect((await s.only()).reviewMessage).toEqual({ channel: 'C0REVIEW', ts: posted?.slice(9) });
    expect(await s.reviewCard(suppression.id)).toMatchObject({ ticket: { key: 'SEC-1' } });
  });

  it('answers undefined and writes nothing for an unknown suppression', async () => {
    const s = await chatScenario();
    const writes = s.h.outsideWrites().length;
    expect(await mirrorSuppression(s.h.deps, 'sunknown')).toBeUndefined();
    expect(s.h.outsideWrites()).toHaveLength(writes);
  });

  it('ends it at its end date: findings back to NEW, ticket reopened, owner told once, buttons gone', async () => {
    const { s, suppression } = await suppressed();
    expect(s.queue.expiries()).toEqual([{ kind: 'expiry', suppressionId: suppression.id, at: END }]);

    s.h.time.set('2025-02-09T23:59:58.000Z');
    await s.queue.runDueExpiries();
    expect((await s.only()).status).toBe('active');

    s.h.time.set(END);
    await s.queue.runDueExpiries();
    expect(await s.only()).toMatchObject({
      status: 'expired',
      endReason: 'it reached its end date',
      endedAt: END,
    });
    const restored = workflowUpdates(s, 'NEW');
    expect(restored).toHaveLength(1);
    expect(restored[0]?.findings).toHaveLength(2);
    expect(restored[0]?.note).toContain('Why: the suppression ended (it expired on 2025-02-09)');
    expect((await s.h.state.findingsOf(keyA)).every((finding) => finding.workflow === 'NEW')).toBe(true);

    expect(transitions(s)).toEqual(['Suppressed', 'To Do']);
    expect(s.h.tracker.tickets.get('SEC-1')?.status).toBe('open');
    expect(comments(s).at(-1)).toMatch(
      /^The suppression ended: it expired on 2025-02-09\. Reopening\.\nAudit record: \[suppression \S+ status=expired /,
    );

    expect(chatCalls(s, 'notify')).toEqual([
      {
        method: 'notify',
        channel: 'C0PAYMENTS',
        text: expect.stringMatching(/team\/payments-api .*ended: it reached its end date \(2025-02-09\)/),
      },
    ]);
    expect((await s.reviewCard(suppression.id)).actions).toEqual([]);
    expect(await s.card()).toMatchObject({ phase: 'failing', actions: ['fix', 'suppress'] });

    const writes = s.h.tracker.writes().length;
    await mirrorSuppression(s.h.deps, suppression.id);
    expect(chatCalls(s, 'notify')).toHaveLength(1);
    expect(s.h.tracker.writes()).toHaveLength(writes);
    expect(workflowUpdates(s, 'NEW')).toHaveLength(1);
  });

  it('a poll after the end date ends it too, and the expiry job then adds nothing', async () => {
    const { s, suppression } = await suppressed();
    s.h.time.set('2025-02-10T06:00:00.000Z');
    await mirrorSuppression(s.h.deps, suppression.id);
    const writes = s.h.tracker.writes().length;
    await s.queue.runDueExpiries();
    expect((await s.only()).status).toBe('expired');
    expect(chatCalls(s, 'notify')).toHaveLength(1);
    expect(s.h.tracker.writes()).toHaveLength(writes);
  });

  it('ends it when revoked, the same way, naming the reviewer', async () => {
    const { s, suppression } = await suppressed();
    s.h.time.advance(3_600_000);
    await s.interactions.revoke(await s.review(suppression.id, USERS.reviewer));
    await s.queue.drain();
    expect(await s.only()).toMatchObject({
      status: 'revoked',
      reviewedBy: USERS.reviewer,
      endReason: 'revoked by a security reviewer',
      endedAt: '2025-01-10T13:00:00.000Z',
    });
    expect(workflowUpdates(s, 'NEW')[0]?.note).toContain(
      `the suppression ended (revoked by ${USERS.reviewer}: revoked by a security reviewer)`,
    );
    expect(transitions(s)).toEqual(['Suppressed', 'To Do']);
    expect(comments(s).at(-1)).toContain(
      `The suppression ended: revoked by ${USERS.reviewer}: revoked by a security reviewer. Reopening.\nAudit record: [suppression ${suppression.id} status=revoked`,
    );
    expect(chatCalls(s, 'notify')).toEqual([
      {
        method: 'notify',
        channel: 'C0PAYMENTS',
        text: expect.stringContaining(`ended: revoked by a security reviewer (${USERS.reviewer})`),
      },
    ]);
    expect((await s.reviewCard(suppression.id)).actions).toEqual([]);
    expect(await s.card()).toMatchObject({ phase: 'failing', actor: USERS.reviewer });

    // its expiry job still fires later: it neither un-revokes, nor suppresses, nor tells anyone again
    const jira = s.h.tracker.writes().length;
    s.h.time.set(END);
    await s.queue.runDueExpiries();
    expect((await s.only()).status).toBe('revoked');
    expect(workflowUpdates(s, 'SUPPRESSED')).toHaveLength(1);
    expect(s.h.tracker.writes()).toHaveLength(jira);
  });

  // BUG (src/core/use-cases/mirror-suppression.ts:7 and :75): "tell the owner once" is a claim that
  // lives NOTIFY_ONCE_MS = 30 days, but the revoked suppression's expiry job still fires at its end
  // date, up to maxDays (90) later. With the default 30-day suppression revoked on its first day the
  // claim has lapsed by then, and the owner is told a second time that it ended ("revoked ... The
  // ticket is open again") weeks afterwards. Fix: record the notice on the suppression itself (e.g.
  // `endNoticeAt`), or give the claim a TTL longer than any suppression (maxDays plus a margin), or
  // have the expiry run skip suppressions that ended otherwise.
  it('the owner is told once, even when the revoked suppression’s expiry job fires later', async () => {
    const { s, suppression } = await suppressed();
    s.h.time.advance(3_600_000);
    await s.interactions.revoke(await s.review(suppression.id, USERS.reviewer));
    await s.queue.drain();
    expect(chatCalls(s, 'notify')).toHaveLength(1);
    s.h.time.set(END);
    await s.queue.runDueExpiries();
    expect(chatCalls(s, 'notify')).toHaveLength(1);
  });

  // BUG (src/core/use-cases/reconcile-repository.ts:263-278): when a suppression ends, the findings go
  // back to NEW with a note saying why, but the very next run, a retried mirror job, the
  // ended suppression's own expiry job or the next poll, finds NEW findings under an open ticket and
  // moves them to NOTIFIED, overwriting the "why" note. So the mirror is not idempotent (twice ≠ once)
  // and the rule "NEW, note says why" lasts until the next reconcile. Fix: decide one steady
  // state: either restore straight to NOTIFIED with the "why" note, or leave findings carrying
  // hubwarden's own "back to NEW" note out of the notify step.
  it('the findings stay NEW with the reason when the ending is mirrored again', async () => {
    const { s, suppression } = await suppressed();
    await s.interactions.revoke(await s.review(suppression.id, USERS.reviewer));
    await s.queue.drain();
    const hub = s.h.source.updates.length;
    await mirrorSuppression(s.h.deps, suppression.id);
    expect(s.h.source.updates).toHaveLength(hub);
    expect((await s.h.state.findingsOf(keyA)).map((finding) => finding.workflow)).toEqual(['NEW', 'NEW']);
  });

  it('lets a newer suppression win: the old one’s late jobs leave it alone', async () => {
    const { s, suppression: first } = await suppressed();
    await s.interactions.revoke(await s.review(first.id, USERS.reviewer));
    await s.queue.drain();
    s.h.time.set('2025-01-12T12:00:00.000Z');
    await s.submit(USERS.owner, 'Second try: the vendor confirmed a fix ships within six weeks.');
    await s.queue.drain();
    const second = (await s.suppressions()).find((suppression) => suppression.id !== first.id);
    expect(second).toMatchObject({ status: 'active', expiresAt: '2025-02-11T23:59:59.000Z' });
    expect((await s.h.state.getRecord(keyA))?.suppressionId).toBe(second?.id);

    const writes = { hub: s.h.source.updates.length, jira: s.h.tracker.writes().length };
    s.h.time.set('2025-02-10T00:00:00.000Z'); // past the first's end, before the second's
    await s.queue.runDueExpiries();
    await mirrorSuppression(s.h.deps, first.id);
    expect(s.h.source.updates).toHaveLength(writes.hub);
    expect(s.h.tracker.writes()).toHaveLength(writes.jira);
    expect((await s.h.state.findingsOf(keyA)).every((finding) => finding.workflow === 'SUPPRESSED')).toBe(
      true,
    );
    expect(await s.card()).toMatchObject({ phase: 'suppressed' });
    expect((await s.h.state.getRecord(keyA))?.suppressionId).toBe(second?.id);
  });

  describe('under requireApproval', () => {
    it('suppresses nothing while pending, everything once approved', async () => {
      const { s, suppression } = await suppressed({ requireApproval: true });
      expect(suppression.status).toBe('pending');
      expect(workflowUpdates(s, 'SUPPRESSED')).toEqual([]);
      expect(transitions(s)).toEqual([]);
      expect(s.h.tracker.tickets.get('SEC-1')?.status).toBe('open');
      expect(await s.card()).toMatchObject({ phase: 'suppression-pending', actions: ['fix'] });
      expect(chatCalls(s, 'postSuppressionReview')).toEqual([
        expect.objectContaining({
          channel: 'C0REVIEW',
          review: expect.objectContaining({ actions: ['approve', 'revoke'] }),
        }),
      ]);

      s.h.time.advance(60_000);
      await s.interactions.approve(await s.review(suppression.id, USERS.reviewer));
      await s.queue.drain();
      expect(await s.only()).toMatchObject({
        status: 'active',
        reviewedBy: USERS.reviewer,
        reviewedAt: '2025-01-10T12:01:00.000Z',
      });
      expect(workflowUpdates(s, 'SUPPRESSED')).toHaveLength(1);
      expect(transitions(s)).toEqual(['Suppressed']);
      expect(await s.card()).toMatchObject({ phase: 'suppressed' });
      expect((await s.reviewCard(suppression.id)).actions).toEqual(['revoke']);
      expect(chatCalls(s, 'postSuppressionReview')).toHaveLength(1);
    });

    it('rejected while pending: nothing was ever suppressed, the ticket never moved', async () => {
      const { s, suppression } = await suppressed({ requireApproval: true });
      await s.interactions.revoke(await s.review(suppression.id, USERS.reviewer));
      await s.queue.drain();
      expect(await s.only()).toMatchObject({
        status: 'revoked',
        endReason: 'rejected by a security reviewer',
      });
      expect(workflowUpdates(s, 'SUPPRESSED')).toEqual([]);
      expect(workflowUpdates(s, 'NEW')).toEqual([]);
      expect(transitions(s)).toEqual([]);
      expect(comments(s)).toEqual([]);
      expect(s.h.tracker.tickets.get('SEC-1')?.status).toBe('open');
      expect(await s.card()).toMatchObject({ phase: 'failing', actions: ['fix', 'suppress'] });
      expect((await s.reviewCard(suppression.id)).actions).toEqual([]);
      expect(chatCalls(s, 'notify')).toEqual([
        expect.objectContaining({
          text: expect.stringMatching(
            /request to suppress .* was rejected by U0SECLEAD\. The ticket stays open\./,
          ),
        }),
      ]);
    });

    // BUG (src/core/use-cases/reconcile-repository.ts:78 and interactions.ts:58-63): only an *active*
    // suppression is ever ended at its end date. A request that no reviewer answers before its end date
    // stays `pending` for ever: its expiry job (scheduled for pending ones too, interactions.ts:135)
    // changes nothing, the card stays "suppression pending" without a Suppress button, `suppressForm`
    // keeps answering "already has a suppression", and a reviewer can still approve it afterwards,
    // making a suppression that ended before it began. Fix: in reconcileLocked end a pending suppression
    // past `expiresAt` too (status `expired`, endReason e.g. 'no reviewer approved it before its end
    // date'), and make `openSuppressionOf` ignore pending ones past `expiresAt`.
    it('ends a request no reviewer answered before its end date', async () => {
      const { s, suppression } = await suppressed({ requireApproval: true });
      s.h.time.set('2025-02-10T00:00:00.000Z');
      await s.queue.runDueExpiries();
      expect((await s.only()).status).toBe('expired');
      expect(await s.card()).toMatchObject({ phase: 'failing', actions: ['fix', 'suppress'] });
      expect(await s.interactions.suppressForm(await s.context(USERS.owner))).toMatchObject({ ok: true });
      expect((await s.interactions.approve(await s.review(suppression.id, USERS.reviewer))).ok).toBe(false);
    });
  });
});
