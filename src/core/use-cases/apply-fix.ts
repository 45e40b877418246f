import { errorKindOf } from '../errors.js';
import { setWorkflow } from '../findings/set-workflow.js';
import { notes } from '../findings/workflow-notes.js';
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
 * closed with a comment and the message says who fixed it. A failure is shown, never hidden.
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
    const save = async (record: RepositoryRecord) => deps.state.putRecord(record);
    const now = () => deps.clock().toISOString();

    if (stored.fix?.status !== 'queued' || stored.fix.by !== request.actor) {
      await save({ ...stored, fix: { status: 'queued', by: request.actor, at: now(), reason: undefined } });
      await reconcileLocked(deps, repository.key); // the message shows "fixing" while we work
    }
    try {
      await deps.registry.makeImmutable(repository);
      const readBack = await deps.registry.tagMutability(repository);
      if (!readBack || !deps.control.isCompliant(readBack)) {
        throw new Error(`read-back says ${readBack ?? 'repository not found'}, not IMMUTABLE`);
      }
    } catch (error) {
      const kind = errorKindOf(error);
      if (kind === 'rate-limited' || (kind === 'retryable' && !request.finalAttempt)) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      const at = now();
      log.warn({ err: error }, 'fix failed');
      let record: RepositoryRecord = {
        ...((await deps.state.getRecord(repository.key)) ?? emptyRecord(repository)),
        fix: { status: 'failed', by: request.actor, at, reason },
      };
      await save(record);
      if (record.ticket && record.ticket.lastComment !== `fix-failed:${at}`) {
        await deps.tracker.comment(record.ticket.key, comments.fixFailed(reason));
        record = { ...record, ticket: { ...record.ticket, lastComment: `fix-failed:${at}` } };
        await save(record);
      }
      return { ...(await reconcileLocked(deps, repository.key)), fix: 'failed' };
    }
    const at = now();
    const record = (await deps.state.getRecord(repository.key)) ?? stored;
    await save({ ...record, fix: { status: 'succeeded', by: request.actor, at, reason: undefined } });
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
  });
