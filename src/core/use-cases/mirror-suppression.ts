import { releaseClaimIfRefused } from '../claims.js';
import { digestOf } from '../hash.js';
import type { ReviewAction } from '../ports/chat.js';
import type { Suppression } from '../suppression.js';
import type { PipelineDeps } from './pipeline-deps.js';
import { reconcileLocked, type ReconcileResult } from './reconcile-repository.js';

const LOCK = { ttlMs: 20_000, waitMs: 30_000 };
const SUPPRESSION_LOCK = { ttlMs: 10_000, waitMs: 5_000 };
/** Longer than any suppression can last (maxDays ≤ 366), so "once" holds until its expiry job has fired. */
const NOTIFY_ONCE_MS = 400 * 24 * 3_600_000;
/** How long an attempt to post a suppression's review card is remembered. */
const POST_MEMORY_MS = 24 * 3_600_000;

/** Approve is offered only when a reviewer other than the asker exists: no one approves their own request. */
const reviewActions = (suppression: Suppression, reviewers: readonly string[]): ReviewAction[] => {
  const approvable = reviewers.some((reviewer) => reviewer !== suppression.requestedBy);
  const approve: ReviewAction[] = approvable ? ['approve'] : [];
  if (suppression.status === 'pending') return [...approve, 'revoke'];
  if (suppression.status === 'active') return suppression.reviewedBy ? ['revoke'] : [...approve, 'revoke'];
  return [];
};

/**
 * Carries a suppression's state to the outside world: findings, ticket and the repository's message
 * (through reconcile), the review message in the review channel, and a word to the owner when it ends.
 * Runs for a new suppression, a review decision and the end date alike; idempotent.
 */
export const mirrorSuppression = async (
  deps: PipelineDeps,
  suppressionId: string,
): Promise<ReconcileResult | undefined> => {
  const found = await deps.state.getSuppression(suppressionId);
  if (!found) return undefined;
  const key = found.repository.key;
  return deps.state.withLock(`repo:${key}`, LOCK, async () => {
    const record = await deps.state.getRecord(key);
    // A newer suppression of the same repository wins; an old one only updates its review message.
    const current =
      !record?.suppressionId ||
      record.suppressionId === suppressionId ||
      found.status === 'pending' ||
      found.status === 'active';
    if (record && current && record.suppressionId !== suppressionId) {
      await deps.state.putRecord({ ...record, suppressionId });
    }
    // The review message first: the notes reconcile writes name it, so a pending suppression rebuilt
    // after losing Redis still has the message its reviewers will press.
    await ensureReviewMessage(deps, found, undefined);
    const result = current ? await reconcileLocked(deps, key) : undefined;
    // reconcile may have ended it (end date reached): read it again.
    const suppression = (await deps.state.getSuppression(suppressionId)) ?? found;
    await ensureReviewMessage(deps, suppression, result?.ticketKey);
    await tellOwnerWhenEnded(deps, suppression);
    return result;
  });
};

/** The review card as it should look now, and the digest of what it shows. */
const reviewOf = async (deps: PipelineDeps, suppression: Suppression, ticketKey: string | undefined) => {
  const record = await deps.state.getRecord(suppression.repository.key);
  const ticket = record?.ticket ? { key: record.ticket.key, url: record.ticket.url } : undefined;
  const review = {
    suppression,
    ticket: ticket ?? (ticketKey ? { key: ticketKey, url: '' } : undefined),
    actions: reviewActions(suppression, deps.policy.securityReviewers),
  };
  const shown = digestOf({
    ...review,
    suppression: { ...suppression, reviewMessage: undefined, reviewCardHash: undefined },
  });
  return { review, shown };
};

/**
 * Ensure-message for the review card: posted once, then updated only when what it shows changed. A post
 * whose answer was lost (a crash between the post and saving it) leaves a claim, so the retry looks for
 * the card by its message metadata before posting another; so does a suppression rebuilt from its notes.
 */
const ensureReviewMessage = async (
  deps: PipelineDeps,
  suppression: Suppression,
  ticketKey: string | undefined,
) => {
  const channel = deps.settings.reviewChannel;
  if (!deps.chat || !channel) return;
  const { review, shown } = await reviewOf(deps, suppression, ticketKey);
  if (suppression.reviewMessage && suppression.reviewCardHash === shown) return;
  let reviewMessage = suppression.reviewMessage;
  let hash = shown;
  if (reviewMessage) {
    await deps.chat.updateSuppressionReview(reviewMessage, review);
  } else {
    const claimKey = `post-review:${suppression.id}`;
    const claimed = await deps.state.claim(claimKey, POST_MEMORY_MS);
    const earlier =
      !claimed || suppression.restoredAt
        ? await deps.chat.findSuppressionReview(channel, suppression.id)
        : undefined;
    // A card found again shows what it showed then: the next step brings it up to date.
    if (earlier) hash = '';
    reviewMessage =
      earlier ??
      (await deps.chat
        .postSuppressionReview(channel, review)
        .catch(releaseClaimIfRefused(deps.state, claimKey)));
  }
  // Reviews write the same record under this lock: merge into the newest copy, never overwrite a decision.
  await deps.state.withLock(`suppress:${suppression.repository.key}`, SUPPRESSION_LOCK, async () => {
    const newest = (await deps.state.getSuppression(suppression.id)) ?? suppression;
    await deps.state.putSuppression({ ...newest, reviewMessage, reviewCardHash: hash });
  });
};

const tellOwnerWhenEnded = async (deps: PipelineDeps, suppression: Suppression) => {
  if (!deps.chat || (suppression.status !== 'expired' && suppression.status !== 'revoked')) return;
  const record = await deps.state.getRecord(suppression.repository.key);
  const channel = record?.owner?.channel;
  if (!channel || !(await deps.state.claim(`ended-notice:${suppression.id}`, NOTIFY_ONCE_MS))) return;
  const where = `${suppression.repository.name} (account ${suppression.repository.accountId}, ${suppression.repository.region})`;
  const by = suppression.reviewedBy ?? 'a reviewer';
  if (!suppression.activatedAt) {
    // It never took effect: nothing was suppressed, nothing reopens.
    const outcome = suppression.status === 'expired' ? 'lapsed unanswered' : `was rejected by ${by}`;
    await deps.chat.notify(
      channel,
      `The request to suppress ECR.2 for ${where} ${outcome}. The ticket stays open.`,
    );
    return;
  }
  const why =
    suppression.status === 'expired'
      ? `it reached its end date (${suppression.expiresAt.slice(0, 10)})`
      : `${suppression.endReason ?? 'it was revoked'} (${by})`;
  await deps.chat.notify(
    channel,
    `The suppression of ECR.2 for ${where} ended: ${why}. The ticket is open again.`,
  );
};
