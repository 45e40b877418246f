import { parseFinding } from '../findings/parse-finding.js';
import {
  parseSuppressionNote,
  ticketKeyFromNotes,
  type SuppressionInNote,
} from '../findings/workflow-notes.js';
import type { Finding, MessageRef } from '../model.js';
import type { Suppression, SuppressionStatus } from '../suppression.js';
import { endReasonOf } from '../suppressions/audit-record.js';
import type { PipelineDeps } from './pipeline-deps.js';

/** Where several findings carry one suppression, the note written last holds the most: a decision outranks a wait. */
const RANK: Readonly<Record<SuppressionStatus, number>> = { pending: 0, active: 1, revoked: 2, expired: 2 };

const fuller = (a: SuppressionInNote, b: SuppressionInNote): boolean =>
  RANK[a.record.status] > RANK[b.record.status] ||
  (RANK[a.record.status] === RANK[b.record.status] &&
    (a.record.reviewedBy !== undefined) > (b.record.reviewedBy !== undefined));

const rebuilt = (finding: Finding, note: SuppressionInNote, now: Date): Suppression => {
  const { record } = note;
  const endReason = endReasonOf(record);
  return {
    id: record.id,
    repository: finding.repository,
    ownerName: record.ownerName ?? 'unknown',
    ticketKey: ticketKeyFromNotes([finding]),
    requestedBy: record.requestedBy,
    requestedAt: record.requestedAt,
    // A note keeps what fits of the justification; the cut stays visible in the audit trail.
    justification: note.justificationCut ? `${note.justification}…` : note.justification,
    expiresAt: record.expiresAt,
    status: record.status,
    reviewedBy: record.reviewedBy,
    reviewedAt: record.reviewedAt,
    endReason,
    endedAt: record.endedAt,
    reviewMessage: record.reviewMessage,
    ...(record.activatedAt ? { activatedAt: record.activatedAt } : {}),
    restoredAt: now.toISOString(),
  };
};

/**
 * Anyone allowed to call BatchUpdateFindings can write a note that reads like hubwarden's, so a record is
 * trusted only when the review channel holds hubwarden's review card for that suppression id (message
 * metadata only hubwarden's app can set). Answers the card, `undefined` when no review channel is
 * configured (nothing to check against), or `null` to leave the record alone for now (no such card, or
 * Slack did not answer: the next poll tries again).
 */
const reviewCardOf = async (
  deps: Pick<PipelineDeps, 'chat' | 'settings' | 'log'>,
  note: SuppressionInNote,
): Promise<MessageRef | undefined | null> => {
  const channel = deps.settings.reviewChannel;
  if (!deps.chat || !channel) return note.record.reviewMessage;
  const named = note.record.reviewMessage;
  const found = await deps.chat
    .findSuppressionReview(named?.channel ?? channel, note.record.id, named?.ts)
    .catch((error: unknown) => {
      deps.log.warn(
        { err: error, suppressionId: note.record.id },
        'review card not checked; retried next poll',
      );
      return null;
    });
  if (found === undefined) {
    deps.log.warn(
      { suppressionId: note.record.id },
      'a note names a suppression without a hubwarden review card; not restored',
    );
    return null;
  }
  return found;
};

/**
 * Every suppression named in these findings' notes that the state store does not hold (Redis lost
 * without a backup) is rebuilt from its audit record, once its review card vouches for it; the
 * repository's next reconcile takes it as its current suppression (`suppressionFromNotes`), so the
 * lifecycle goes on: an active one keeps its findings suppressed
 * until its end date, one past it ends and restores them, a pending one waits for its reviewers.
 * Answers the suppressions rebuilt.
 */
export const restoreSuppressions = async (
  deps: Pick<PipelineDeps, 'state' | 'clock' | 'log' | 'chat' | 'settings'>,
  findings: readonly Finding[],
): Promise<Suppression[]> => {
  const named = new Map<string, { finding: Finding; note: SuppressionInNote }>();
  for (const finding of findings) {
    const note = parseSuppressionNote(finding.hubwardenNote);
    if (!note) continue;
    const seen = named.get(note.record.id);
    if (!seen || (seen.finding.repository.key === finding.repository.key && fuller(note, seen.note))) {
      named.set(note.record.id, { finding, note });
    }
  }
  const restored: Suppression[] = [];
  for (const { finding, note } of named.values()) {
    if (await deps.state.getSuppression(note.record.id)) continue;
    const reviewMessage = await reviewCardOf(deps, note);
    if (reviewMessage === null) continue;
    // a reviewer's press may have rebuilt (and decided) it while the card was checked
    if (await deps.state.getSuppression(note.record.id)) continue;
    const suppression = { ...rebuilt(finding, note, deps.clock()), reviewMessage };
    await deps.state.putSuppression(suppression);
    restored.push(suppression);
    deps.log.info(
      {
        repositoryArn: suppression.repository.arn,
        suppressionId: suppression.id,
        status: suppression.status,
      },
      'suppression restored from its Security Hub note',
    );
  }
  return restored;
};

/**
 * For a repository record that names no suppression (it was lost with Redis): the newest suppression the
 * state store holds among those its findings' notes name.
 */
export const suppressionFromNotes = async (
  deps: Pick<PipelineDeps, 'state'>,
  findings: readonly Finding[],
): Promise<Suppression | undefined> => {
  const ids = new Set(
    findings.flatMap((finding) => parseSuppressionNote(finding.hubwardenNote)?.record.id ?? []),
  );
  let newest: Suppression | undefined;
  for (const id of ids) {
    const suppression = await deps.state.getSuppression(id);
    if (suppression && (!newest || suppression.requestedAt > newest.requestedAt)) newest = suppression;
  }
  return newest;
};

/**
 * The control's findings of one repository, straight from the findings source (one narrow read), or
 * every finding of the control when the repository's ARN is not known; malformed ones are left out.
 */
export const readFindingsOf = async (
  deps: Pick<PipelineDeps, 'findingsSource' | 'control'>,
  repositoryArn: string | undefined,
): Promise<Finding[]> => {
  const { controlId } = deps.control;
  const findings: Finding[] = [];
  const query = { controlId, ...(repositoryArn ? { resourceArn: repositoryArn } : {}) };
  for await (const page of deps.findingsSource.pages(query)) {
    for (const raw of page.findings) {
      const parsed = parseFinding(raw, controlId);
      if (parsed.ok) findings.push(parsed.finding);
    }
  }
  return findings;
};

/** Held while a press rebuilds a suppression: the lock reviews take, so a decision is never overwritten. */
const RESTORE_LOCK = { ttlMs: 10_000, waitMs: 2_000 };

/**
 * A reviewer pressed a review card whose suppression the state store does not hold (Redis lost, no
 * poll since). The pressed message must be hubwarden's card for that suppression (its metadata names it,
 * and on cards posted since, the repository too); that repository's findings are read from the findings
 * source (every finding of the control for an older card that does not name it), merged into the state
 * store, and the suppression rebuilt from their notes exactly as a poll would, card check included.
 * Answers it, or `undefined` when the message is not its card or no note carries its record.
 */
export const restoreFromReviewCard = async (
  deps: Pick<PipelineDeps, 'state' | 'clock' | 'log' | 'chat' | 'settings' | 'findingsSource' | 'control'>,
  suppressionId: string,
  card: MessageRef,
): Promise<Suppression | undefined> => {
  const subject = await deps.chat?.reviewCardAt(card, suppressionId);
  if (!subject) return undefined;
  const findings = await readFindingsOf(deps, subject.repositoryArn);
  const named = findings.find(
    (finding) => parseSuppressionNote(finding.hubwardenNote)?.record.id === suppressionId,
  );
  if (!named) {
    deps.log.warn({ suppressionId }, 'no Security Hub note carries this suppression; not restored');
    return undefined;
  }
  const key = named.repository.key;
  const repository = findings.filter((finding) => finding.repository.key === key);
  await deps.state.mergeFindings(repository);
  await deps.state.withLock(`suppress:${key}`, RESTORE_LOCK, () => restoreSuppressions(deps, repository));
  return deps.state.getSuppression(suppressionId);
};
