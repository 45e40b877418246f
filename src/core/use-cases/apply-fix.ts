import { HubwardenError } from '../errors.js';
import { describeFailure, isFinalFailure } from '../failures/provider-failures.js';
import { setWorkflow } from '../findings/set-workflow.js';
import { notes } from '../findings/workflow-notes.js';
import type { RepositoryRef } from '../model.js';
import type { Logger } from '../ports/logger.js';
import type { RepositoryRecord } from '../ports/state-store.js';
import { comments } from '../tickets/ticket-content.js';
import type { PipelineDeps } from './pipeline-deps.js';
import { emptyRecord, reconcileLocked, type ReconcileResult } from './reconcile-repository.js';
import { outstandingFailures } from './repository-phase.js';

const LOCK = { ttlMs: 20_000, waitMs: 30_000 };

export interface FixRequest {
  readonly repositoryKey: string;
  readonly actor: string;
  /** no retry follows this one: a transient failure is now final */
  readonly finalAttempt: boolean;
}

export type FixResult = ReconcileResult & {
  readonly fix: 'succeeded' | 'failed' | 'not-needed';
  /** seconds from the repository's first failed finding to the verified fix */
  readonly secondsSinceFirstFailure?: number;
};

/**
 * The Fix button's work: PutImageTagMutability IMMUTABLE in the repository's own account, then read it
 * back. Only a read-back that says IMMUTABLE is a success; then findings become RESOLVED, the ticket is
 * closed with a comment and the message says who fixed it. A failure is shown, never hidden: whatever
 * fails for good (ECR, or showing "fixing" or the result), the repository never stays "fixing": its
 * card gets the buttons back with the reason, and a new click tries again.
 */
export const applyFix = async (deps: PipelineDeps, request: FixRequest): Promise<FixResult> =>
  deps.state.withLock(`repo:${request.repositoryKey}`, LOCK, async () => {
    const stored = await deps.state.getRecord(request.repositoryKey);
    if (!stored) throw new Error(`no record of repository ${request.repositoryKey}`);
    const { repository } = stored;
    const log = deps.log.child({ repositoryArn: repository.arn, actor: request.actor });
    const findings = await deps.state.findingsOf(repository.key);
    if (outstandingFailures(findings, stored).length === 0 && stored.fix?.status !== 'queued') {
      return { ...(await reconcileLocked(deps, repository.key)), fix: 'not-needed' };
    }
    try {
      return await fixLocked(deps, request, stored, log);
    } catch (error) {
      if (!isFinalFailure(error, request.finalAttempt)) throw error;
      return fixFailed(deps, request, repository, error, log);
    }
  });

const fixLocked = async (
  deps: PipelineDeps,
  request: FixRequest,
  stored: RepositoryRecord,
  log: Logger,
): Promise<FixResult> => {
  const { repository } = stored;
  const save = async (record: RepositoryRecord) => deps.state.putRecord(record);
  const now = () => deps.clock().toISOString();
  if (stored.fix?.status !== 'queued' || stored.fix.by !== request.actor) {
    await save({ ...stored, fix: { status: 'queued', by: request.actor, at: now(), reason: undefined } });
    await reconcileLocked(deps, repository.key); // the message shows "fixing" while we work
  }
  await deps.registry.applyFix(deps.control.controlId, repository);
  const readBack = await deps.registry.readSetting(deps.control.controlId, repository);
  if (!readBack || !deps.control.isCompliant(readBack)) {
    throw new HubwardenError(`read-back says ${readBack ?? 'repository not found'}, not IMMUTABLE`, {
      // the read-back may lag behind the write: later attempts read again
      kind: 'retryable',
      code: 'ecr.not_immutable',
      service: 'ecr',
    });
  }
  const at = now();
  const record = (await deps.state.getRecord(repository.key)) ?? stored;
  await save({ ...record, fix: { status: 'succeeded', by: request.actor, at, reason: undefined } });
  const findings = await deps.state.findingsOf(repository.key);
  const failing = findings.filter(
    (finding) => finding.recordState === 'ACTIVE' && finding.compliance === 'FAILED',
  );
  await setWorkflow(
    deps,
    failing,
    'RESOLVED',
    notes.fixed({ ticketKey: record.ticket?.key, message: record.message }, request.actor, at),
  );
  log.info({}, 'fixed: tags are immutable');
  const firstSeen = failing.map((finding) => finding.firstObservedAt ?? finding.updatedAt).sort()[0];
  return {
    ...(await reconcileLocked(deps, repository.key)),
    fix: 'succeeded',
    ...(firstSeen ? { secondsSinceFirstFailure: (Date.parse(at) - Date.parse(firstSeen)) / 1000 } : {}),
  };
};

/**
 * Records the fix as failed with its one-line reason, tells the ticket, and shows the card with its
 * buttons back. The ticket comment and the card are each best effort: one refusing does not stop the other.
 */
const fixFailed = async (
  deps: PipelineDeps,
  request: FixRequest,
  repository: RepositoryRef,
  error: unknown,
  log: Logger,
): Promise<FixResult> => {
  const { reason } = describeFailure(error);
  const at = deps.clock().toISOString();
  log.warn({ err: error }, 'fix failed');
  let record: RepositoryRecord = {
    ...((await deps.state.getRecord(repository.key)) ?? emptyRecord(repository)),
    fix: { status: 'failed', by: request.actor, at, reason },
  };
  await deps.state.putRecord(record);
  const ticket = record.ticket;
  if (ticket && ticket.lastComment !== `fix-failed:${at}`) {
    try {
      await deps.tracker.comment(ticket.key, comments.fixFailed(reason));
      record = { ...record, ticket: { ...ticket, lastComment: `fix-failed:${at}` } };
      await deps.state.putRecord(record);
    } catch (commentError) {
      if (!isFinalFailure(commentError, request.finalAttempt)) throw commentError;
      log.warn({ err: commentError }, 'the ticket could not be told that the fix failed');
    }
  }
  const base = { repositoryKey: repository.key, repositoryArn: repository.arn, failing: true };
  try {
    return { ...(await reconcileLocked(deps, repository.key)), fix: 'failed' };
  } catch (reconcileError) {
    if (!isFinalFailure(reconcileError, request.finalAttempt)) throw reconcileError;
    // The fix is recorded as failed, so a new click is accepted even though the card could not be redrawn.
    log.warn({ err: reconcileError }, 'the card could not show that the fix failed');
    return {
      ...base,
      ticket: 'none',
      ticketKey: record.ticket?.key,
      message: 'failed',
      findingsUpdated: 0,
      fix: 'failed',
    };
  }
};
