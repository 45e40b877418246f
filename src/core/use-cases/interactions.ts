import { randomUUID } from 'node:crypto';
import { digest, digestOf } from '../hash.js';
import type { Finding } from '../model.js';
import { isReviewer, mayAct } from '../owners/choose-owner.js';
import type {
  Interactions,
  MessageContext,
  Outcome,
  ReviewContext,
  ReviewerHome,
  SubmissionOutcome,
  SuppressForm,
  SuppressionSubmission,
} from '../ports/interactions.js';
import type { RepositoryRecord } from '../ports/state-store.js';
import type { WorkQueue } from '../ports/work-queue.js';
import type { Suppression } from '../suppression.js';
import { addDays, isoDay, validateSuppression } from '../suppressions/suppression-rules.js';
import type { PipelineDeps } from './pipeline-deps.js';
import { isSuppressionActive, isSuppressionOverdue, outstandingFailures } from './repository-phase.js';
import { restoreRepositoryFromCard } from './restore-repository.js';
import { restoreFromReviewCard } from './restore-suppressions.js';

type Refusal = { readonly ok: false; readonly reason: string };
const refuse = (reason: string): Refusal => ({ ok: false, reason });

const NOT_YOURS =
  'Only the repository owner’s listed people and security reviewers may do this. Nothing was changed.';
const NOT_REVIEWER = 'Only security reviewers may approve or revoke suppressions. Nothing was changed.';
const DOUBLE_CLICK_MS = 10 * 60_000;
/** A fix still "under way" this long after it was asked for has been lost: a new click may try again. */
const FIX_ABANDONED_MS = 15 * 60_000;
/** How long a submitted form is remembered as used (a form cannot outlive this). */
const FORM_MEMORY_MS = 7 * 24 * 3_600_000;
const STALE_FORM =
  'This repository changed since the form was opened (it passed, or failed anew). Nothing was recorded: press Suppress again.';

/** The failures a form is opened for: their ids and when Security Hub last evaluated each. */
const formTokenOf = (repositoryKey: string, failures: readonly Finding[]): string =>
  digestOf([repositoryKey, failures.map((finding) => `${finding.id}@${finding.updatedAt}`).sort()]);
const SUBMIT_LOCK = { ttlMs: 10_000, waitMs: 2_000 };

/**
 * What people can do from chat. Nothing a button carries is trusted: the repository is re-derived from
 * the message that was clicked (it must be the message hubwarden posted for that repository), and the
 * person is re-checked against the owners file. Every answer comes back fast; slow work is queued.
 */
export const createInteractions = (deps: PipelineDeps, queue: WorkQueue): Interactions => {
  /** The repository behind a clicked message, or a refusal when the message is not ours for it. */
  const repositoryOf = async (context: MessageContext): Promise<RepositoryRecord | Refusal> => {
    const key = context.claimedRepositoryKey;
    const known = /^r[0-9a-f]{16}$/.test(key);
    // Redis lost it and no poll has rebuilt it yet: the card and the findings rebuild it now.
    const record = known
      ? ((await deps.state.getRecord(key)) ??
        (await restoreRepositoryFromCard(deps, key, { channel: context.channel, ts: context.messageTs })))
      : undefined;
    if (
      !record?.message ||
      record.message.channel !== context.channel ||
      record.message.ts !== context.messageTs
    ) {
      deps.log.warn(
        { actor: context.actor, channel: context.channel },
        'button does not match its message; refused',
      );
      return refuse(
        'This button does not belong to a repository message hubwarden knows. Nothing was changed.',
      );
    }
    if (!record.owner || !mayAct(context.actor, record.owner, deps.policy)) return refuse(NOT_YOURS);
    return record;
  };

  const openSuppressionOf = async (repositoryKey: string): Promise<Suppression | undefined> =>
    (await deps.state.listSuppressions()).find(
      (suppression) =>
        suppression.repository.key === repositoryKey &&
        (isSuppressionActive(suppression, deps.clock()) ||
          (suppression.status === 'pending' && !isSuppressionOverdue(suppression, deps.clock()))),
    );

  const isStale = (at: string): boolean => deps.clock().getTime() - Date.parse(at) >= FIX_ABANDONED_MS;
  const failuresOf = async (record: RepositoryRecord): Promise<Finding[]> =>
    outstandingFailures(await deps.state.findingsOf(record.repository.key), record);

  const stillFailing = async (record: RepositoryRecord): Promise<boolean> =>
    (await failuresOf(record)).length > 0;

  /**
   * Why this repository may not be suppressed now, re-read at submit time: it passes (findings, or the
   * registry's own setting, which Security Hub may not have re-evaluated yet), or its failures are not
   * the ones the form was opened for.
   */
  const notSuppressible = async (
    record: RepositoryRecord,
    formToken: string | undefined,
  ): Promise<string | undefined> => {
    const failures = await failuresOf(record);
    if (failures.length === 0) return 'This repository already passes ECR.2: there is nothing to suppress.';
    const setting = await deps.registry.readSetting(deps.control.controlId, record.repository);
    if (setting === undefined) return 'This repository no longer exists: there is nothing to suppress.';
    if (deps.control.isCompliant(setting)) {
      return 'This repository’s tags are already immutable: there is nothing to suppress.';
    }
    return formToken === formTokenOf(record.repository.key, failures) ? undefined : STALE_FORM;
  };

  const fix = async (context: MessageContext): Promise<Outcome> => {
    const record = await repositoryOf(context);
    if ('ok' in record) return record;
    if (!(await stillFailing(record))) return refuse('This repository already passes ECR.2: nothing to fix.');
    // A fix whose job was lost (Redis lost, retries exhausted before it started) is not under way forever.
    if (record.fix?.status === 'queued' && !isStale(record.fix.at))
      return { ok: true, notice: 'A fix for this repository is already under way.' };
    // One fix per burst of clicks; a fix that failed since may be retried at once.
    const attempt = record.fix?.at ?? 'first';
    const claim = `fix:${record.repository.key}:${attempt}`;
    if (!(await deps.state.claim(claim, DOUBLE_CLICK_MS))) {
      return { ok: true, notice: 'A fix for this repository is already under way.' };
    }
    // Nothing was queued: the next click must not be told that a fix is under way.
    await queue.enqueueFix(record.repository.key, context.actor).catch(async (error: unknown) => {
      await deps.state.releaseClaim(claim);
      throw error;
    });
    deps.log.info({ repositoryArn: record.repository.arn, actor: context.actor }, 'fix queued');
    return {
      ok: true,
      notice: `Making the tags of ${record.repository.name} immutable; this message will show the result.`,
    };
  };

  const suppressForm = async (context: MessageContext): Promise<SuppressForm | Refusal> => {
    const record = await repositoryOf(context);
    if ('ok' in record) return record;
    if (await openSuppressionOf(record.repository.key))
      return refuse('This repository already has a suppression.');
    const failures = await failuresOf(record);
    if (failures.length === 0) return refuse('This repository already passes ECR.2: nothing to suppress.');
    const { suppression } = deps.policy;
    const now = deps.clock();
    return {
      ok: true,
      repository: record.repository,
      minJustificationLength: suppression.minJustificationLength,
      maxJustificationLength: suppression.maxJustificationLength,
      maxDays: suppression.maxDays,
      defaultExpiry: isoDay(addDays(now, suppression.defaultDays)),
      latestExpiry: isoDay(addDays(now, suppression.maxDays)),
      formToken: formTokenOf(record.repository.key, failures),
    };
  };

  const submitSuppression = async (submission: SuppressionSubmission): Promise<SubmissionOutcome> => {
    const now = deps.clock();
    const valid = validateSuppression(submission, deps.policy.suppression, now);
    if (!valid.ok) return { ok: false, fieldErrors: valid.errors };
    const record = await repositoryOf(submission);
    if ('ok' in record) return record;
    const key = record.repository.key;
    // One suppression per repository even when two people submit at once, or Slack retries.
    return deps.state.withLock(`suppress:${key}`, SUBMIT_LOCK, async (): Promise<SubmissionOutcome> => {
      const existing = await openSuppressionOf(key);
      if (existing) {
        return existing.requestedBy === submission.actor && existing.justification === valid.justification
          ? { ok: true, notice: 'Your suppression was already recorded.' }
          : refuse('This repository already has a suppression.');
      }
      const stale = await notSuppressible(record, submission.formToken);
      if (stale) return refuse(stale);
      // One form, one suppression: a form replayed after its suppression was revoked records nothing.
      if (!(await deps.state.claim(`suppress-form:${submission.viewId}`, FORM_MEMORY_MS))) {
        return refuse('This form was already used. Nothing was recorded: press Suppress to ask again.');
      }
      const pending = deps.policy.suppression.requireApproval;
      const suppression: Suppression = {
        id: `s${digest(`${key}:${now.toISOString()}:${randomUUID()}`, 15)}`,
        repository: record.repository,
        ownerName: record.owner?.name ?? 'unknown',
        ticketKey: record.ticket?.key,
        requestedBy: submission.actor,
        requestedAt: now.toISOString(),
        justification: valid.justification,
        expiresAt: valid.expiresAt,
        status: pending ? 'pending' : 'active',
        reviewedBy: undefined,
        reviewedAt: undefined,
        endReason: undefined,
        endedAt: undefined,
        reviewMessage: undefined,
        ...(pending ? {} : { activatedAt: now.toISOString() }),
      };
      await deps.state.putSuppression(suppression);
      await queue.enqueueSuppressionMirror(suppression.id);
      await queue.scheduleSuppressionExpiry(suppression.id, new Date(suppression.expiresAt));
      deps.log.info(
        { repositoryArn: record.repository.arn, suppressionId: suppression.id, pending },
        'suppression recorded',
      );
      return {
        ok: true,
        notice: pending
          ? 'Suppression requested: it takes effect when a security reviewer approves it.'
          : `Suppressed until ${suppression.expiresAt.slice(0, 10)}; security will review it.`,
      };
    });
  };

  /** The suppression behind a review button: the clicked message must be its review message. */
  const reviewed = async (context: ReviewContext): Promise<Suppression | Refusal> => {
    if (!isReviewer(context.actor, deps.policy)) return refuse(NOT_REVIEWER);
    // Redis lost it and no poll has rebuilt it yet: the card and the findings' notes rebuild it now.
    const suppression =
      (await deps.state.getSuppression(context.suppressionId)) ??
      (await restoreFromReviewCard(deps, context.suppressionId, {
        channel: context.channel,
        ts: context.messageTs,
      }));
    const message = suppression?.reviewMessage;
    if (!suppression || !message || message.channel !== context.channel || message.ts !== context.messageTs) {
      return refuse('This button does not belong to a suppression hubwarden knows. Nothing was changed.');
    }
    return suppression;
  };

  const review = async (
    context: ReviewContext,
    change: (suppression: Suppression, now: string) => Suppression | Outcome,
  ): Promise<Outcome> => {
    const found = await reviewed(context);
    if ('ok' in found) return found;
    return deps.state.withLock(`suppress:${found.repository.key}`, SUBMIT_LOCK, async () => {
      const current = (await deps.state.getSuppression(found.id)) ?? found;
      const changed = change(current, deps.clock().toISOString());
      if ('ok' in changed) return changed;
      await deps.state.putSuppression(changed);
      await queue.enqueueSuppressionMirror(changed.id);
      deps.log.info(
        { suppressionId: changed.id, status: changed.status, reviewer: context.actor },
        'suppression reviewed',
      );
      return { ok: true, notice: `Suppression ${changed.status === 'revoked' ? 'revoked' : 'approved'}.` };
    });
  };

  const approve = (context: ReviewContext): Promise<Outcome> =>
    review(context, (suppression, now) => {
      if (suppression.status === 'revoked' || suppression.status === 'expired') {
        return refuse(`This suppression has already ended (${suppression.status}).`);
      }
      if (suppression.reviewedBy) return { ok: true, notice: 'Already approved.' };
      if (isSuppressionOverdue(suppression, deps.clock())) {
        return refuse('This suppression has already reached its end date.');
      }
      // Whatever requireApproval says: an approval is a second person's word, never the asker's own.
      if (suppression.requestedBy === context.actor) {
        return refuse('A different reviewer must approve a suppression you asked for. Nothing was changed.');
      }
      return {
        ...suppression,
        status: 'active',
        reviewedBy: context.actor,
        reviewedAt: now,
        activatedAt: suppression.activatedAt ?? now,
      };
    });

  const revoke = (context: ReviewContext): Promise<Outcome> =>
    review(context, (suppression, now) => {
      if (suppression.status === 'revoked' || suppression.status === 'expired') {
        return { ok: true, notice: `Already ${suppression.status}.` };
      }
      return {
        ...suppression,
        status: 'revoked',
        reviewedBy: context.actor,
        reviewedAt: now,
        endedAt: now,
        endReason:
          suppression.status === 'pending'
            ? 'rejected by a security reviewer'
            : 'revoked by a security reviewer',
      };
    });

  const home = async (actor: string): Promise<ReviewerHome> => {
    if (!isReviewer(actor, deps.policy)) return { reviewer: false, pending: [], active: [] };
    const now = deps.clock();
    const all = await deps.state.listSuppressions();
    const byEnd = (a: Suppression, b: Suppression) => a.expiresAt.localeCompare(b.expiresAt);
    return {
      reviewer: true,
      pending: all.filter((suppression) => suppression.status === 'pending').sort(byEnd),
      active: all.filter((suppression) => isSuppressionActive(suppression, now)).sort(byEnd),
    };
  };

  return { fix, suppressForm, submitSuppression, approve, revoke, home };
};
