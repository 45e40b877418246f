import { FailureLedger, describeFailure, isFinalFailure } from '../failures/provider-failures.js';
import { findingsFingerprint } from '../findings/repository-findings.js';
import { setWorkflow } from '../findings/set-workflow.js';
import {
  messageRefFromNotes,
  notes,
  PENDING_NOTE,
  RESTORED_NOTE,
  SUPPRESSED_NOTE,
  TICKET_FAILED_MARK,
  ticketKeyFromNotes,
} from '../findings/workflow-notes.js';
import { digestOf } from '../hash.js';
import { ensureMessage, type MessageOutcome } from '../messages/ensure-message.js';
import type { Finding, OwnerResolution, RepositoryRef, Risk } from '../model.js';
import { repositoryTags, resolveOwner } from '../owners/resolve-owner.js';
import type { RepositoryCard } from '../ports/chat.js';
import type { RepositoryFailures, RepositoryRecord } from '../ports/state-store.js';
import type { Suppression } from '../suppression.js';
import { auditRecordOf, formatAuditRecord } from '../suppressions/audit-record.js';
import { ensureTicket, type TicketOutcome, type TicketStep } from '../tickets/ensure-ticket.js';
import { comments, newTicketFor } from '../tickets/ticket-content.js';
import type { PipelineDeps } from './pipeline-deps.js';
import { suppressionFromNotes } from './restore-suppressions.js';
import {
  isSuppressionActive,
  isSuppressionOverdue,
  outstandingFailures,
  phaseOf,
} from './repository-phase.js';

export interface ReconcileResult {
  readonly repositoryKey: string;
  readonly repositoryArn: string | undefined;
  readonly failing: boolean;
  /** `failed`: Jira refused (or failed on the last attempt); the rest of the work went ahead */
  readonly ticket: TicketOutcome | 'failed';
  readonly ticketKey: string | undefined;
  /** `failed`: Slack refused (or failed on the last attempt); the rest of the work went ahead */
  readonly message: MessageOutcome | 'failed';
  /** findings whose workflow status hubwarden changed */
  readonly findingsUpdated: number;
  /** what is failing for good at each provider after this run, if anything */
  readonly failures?: RepositoryFailures | undefined;
}

export interface ReconcileOptions {
  /** no retry follows this run: a transient failure is handled as a refusal */
  readonly finalAttempt?: boolean;
}

const LOCK = { ttlMs: 20_000, waitMs: 30_000 };

export const emptyRecord = (repository: RepositoryRef): RepositoryRecord => ({
  repository,
  ticket: undefined,
  message: undefined,
  owner: undefined,
  risks: [],
  fix: undefined,
  suppressionId: undefined,
  processedFingerprint: undefined,
});

/** Inputs that decide what a repository needs; a poll enqueues a repository only when they change. */
export const inputsFingerprint = (
  findings: readonly Finding[],
  deps: Pick<PipelineDeps, 'settings'>,
): string => digestOf([findingsFingerprint(findings), deps.settings.configVersion]);

/** Brings one repository's ticket, findings and message in line with its findings. Idempotent. */
export const reconcileRepository = async (
  deps: PipelineDeps,
  repositoryKey: string,
  options: ReconcileOptions = {},
): Promise<ReconcileResult> => {
  let entered = false;
  try {
    return await deps.state.withLock(`repo:${repositoryKey}`, LOCK, () => {
      entered = true;
      return reconcileLocked(deps, repositoryKey, options);
    });
  } catch (error) {
    // Failures inside are recorded there; one that kept the run from starting (a lock never freed) is
    // recorded here, so the repository is still tried again after its backoff.
    if (!entered && isFinalFailure(error, options.finalAttempt ?? false)) {
      await recordUnstartedRun(deps, repositoryKey, error).catch((recordError: unknown) =>
        deps.log.warn({ err: recordError }, 'could not record why a repository run did not start'),
      );
    }
    throw error;
  }
};

const recordUnstartedRun = async (deps: PipelineDeps, repositoryKey: string, error: unknown) => {
  const repository =
    (await deps.state.getRecord(repositoryKey))?.repository ??
    (await deps.state.findingsOf(repositoryKey))[0]?.repository;
  if (!repository) return;
  const ledger = new FailureLedger(deps, repository, deps.settings.retryBackoff);
  ledger.failed(describeFailure(error).provider, error);
  await ledger.save();
};

/**
 * The same, for callers that already hold the repository's lock. One provider's refusal does not stop
 * the others: a ticket Jira refuses still gets its message and its findings' note (both saying why), a
 * message Slack refuses still gets its ticket, and each failure is recorded with when to try again.
 * What stops the whole run (an account that denies access) is recorded too, then thrown.
 */
export const reconcileLocked = async (
  deps: PipelineDeps,
  repositoryKey: string,
  options: ReconcileOptions = {},
): Promise<ReconcileResult> => {
  const findings = await deps.state.findingsOf(repositoryKey);
  const stored = await deps.state.getRecord(repositoryKey);
  const repository = findings[0]?.repository ?? stored?.repository;
  const unchanged = { repositoryKey, ticket: 'none', message: 'none', findingsUpdated: 0 } as const;
  if (!repository) {
    // Nothing left to work on (its findings are gone): nothing to try again either.
    await deps.state.putFailures(repositoryKey, undefined);
    return { ...unchanged, repositoryArn: undefined, failing: false, ticketKey: undefined };
  }
  const ledger = new FailureLedger(deps, repository, deps.settings.retryBackoff);
  try {
    return await reconcileKnown(deps, { repositoryKey, repository, stored, findings }, ledger, options);
  } catch (error) {
    if (isFinalFailure(error, options.finalAttempt ?? false)) {
      ledger.failed(describeFailure(error).provider, error);
      await ledger.save();
    }
    throw error;
  }
};

const reconcileKnown = async (
  deps: PipelineDeps,
  known: {
    repositoryKey: string;
    repository: RepositoryRef;
    stored: RepositoryRecord | undefined;
    findings: Finding[];
  },
  ledger: FailureLedger,
  options: ReconcileOptions,
): Promise<ReconcileResult> => {
  const { repositoryKey, repository, stored, findings } = known;
  const unchanged = { repositoryKey, ticket: 'none', message: 'none', findingsUpdated: 0 } as const;
  const log = deps.log.child({ repositoryArn: repository.arn });
  /** runs one provider's part; a refusal is recorded and answered as `undefined` instead of thrown */
  const isolated = async <T>(provider: string, work: () => Promise<T>): Promise<T | undefined> => {
    try {
      const result = await work();
      ledger.succeeded(provider);
      return result;
    } catch (error) {
      if (!isFinalFailure(error, options.finalAttempt ?? false)) throw error;
      ledger.failed(provider, error);
      log.warn({ err: error, provider }, `${provider} refused this repository's work; the rest goes ahead`);
      return undefined;
    }
  };
  const now = deps.clock();

  let record = stored ?? emptyRecord(repository);
  const save = async (changes: Partial<RepositoryRecord>) => {
    record = { ...record, ...changes };
    await deps.state.putRecord(record);
  };

  if (!record.suppressionId) {
    // State lost: the suppression its notes name (rebuilt by the poll) is the repository's again.
    const named = await suppressionFromNotes(deps, findings);
    if (named) await save({ suppressionId: named.id });
  }
  let suppression = record.suppressionId ? await deps.state.getSuppression(record.suppressionId) : undefined;
  if (suppression && isSuppressionOverdue(suppression, now)) {
    suppression = {
      ...suppression,
      status: 'expired',
      endReason: 'it reached its end date',
      endedAt: now.toISOString(),
    };
    await deps.state.putSuppression(suppression);
    log.info({ suppressionId: suppression.id }, 'suppression expired');
  }
  const failures = outstandingFailures(findings, record);
  const failing = failures.length > 0;
  const hintKey = ticketKeyFromNotes(findings);
  if (!record.message) {
    // State lost: the message is found again from the notes, and updated rather than posted twice.
    // Anyone who may call BatchUpdateFindings can write a note: adopt only our card for this repository.
    const known = messageRefFromNotes(findings);
    if (known && deps.chat && (await deps.chat.isRepositoryCard(known, repository.key))) {
      await save({ message: { ...known, contentHash: '' } });
    } else if (known) {
      log.warn(known, 'a note names a message that is not this repository’s card: not adopted');
    }
  }
  const fingerprint = inputsFingerprint(findings, deps);

  if (!failing && !record.ticket && !hintKey && record.fix === undefined) {
    // Never failed while we watched, or already handled: nothing to open, nothing to close.
    await save({ processedFingerprint: fingerprint });
    for (const provider of ['jira', 'slack', 'securityhub', 'ecr', 'sts']) ledger.succeeded(provider);
    await ledger.save();
    return { ...unchanged, repositoryArn: repository.arn, failing, ticketKey: undefined };
  }

  const tags = await repositoryTags(deps, repository, findings);
  const owner = await resolveOwner(deps, repository, tags);
  const risks: readonly Risk[] = failing
    ? await deps.state.cached('risks', repository.key, deps.settings.riskCacheTtlMs, async () =>
        deps.control.assessRisks(await deps.registry.images(repository)),
      )
    : record.risks;
  // the member role and ECR answered (or their answers were still cached)
  ledger.succeeded('ecr');
  ledger.succeeded('sts');
  await save({
    owner: {
      name: owner.owner.name,
      rule: owner.rule,
      detail: owner.detail,
      slackUsers: owner.owner.slackUsers,
      channel: owner.owner.slackChannel,
    },
    risks,
  });

  const active = failing && isSuppressionActive(suppression, now);
  const content = newTicketFor(
    deps.control,
    repository,
    findings,
    owner,
    risks,
    deps.settings.jiraDeployment,
  );
  const ticket = await isolated('jira', () =>
    ensureTicket(
      { tracker: deps.tracker, state: deps.state, log },
      {
        repository,
        record: record.ticket,
        hintKey,
        content,
        contentHash: digestOf(content),
        goal: failing && !active ? 'open' : 'closed',
        step: ticketStep(deps, {
          failing,
          active,
          record,
          suppression,
          fingerprint,
          failures: failures.length,
        }),
        save: (ticketRecord) => save({ ticket: ticketRecord }),
      },
    ),
  );
  const ticketFailure = ledger.reasonOf('jira');
  const ticketProblem =
    ticketFailure &&
    `The Jira ticket ${record.ticket ? 'could not be updated' : 'could not be created'}: ${ticketFailure} hubwarden will try again.`;

  const message = await isolated('slack', () =>
    publishCard(deps, record.message, (changes) => save({ message: changes }), {
      repository,
      owner,
      ticket: record.ticket ? { key: record.ticket.key, url: record.ticket.url } : undefined,
      ...(ticketProblem ? { ticketProblem } : {}),
      risks,
      ...phaseOf(failing, record, suppression, now),
      ...cardDetail(record, suppression),
      suppression,
    }),
  );
  const findingsUpdated = await isolated('securityhub', () =>
    mirrorWorkflow(deps, {
      findings,
      failures,
      owner,
      suppression,
      active,
      record,
      ticketProblem: ticketFailure,
    }),
  );
  await save({ processedFingerprint: inputsFingerprint(await deps.state.findingsOf(repositoryKey), deps) });
  const failuresAfter = await ledger.save();
  return {
    repositoryKey,
    repositoryArn: repository.arn,
    failing,
    ticket: ticket?.outcome ?? 'failed',
    ticketKey: record.ticket?.key,
    message: message ?? 'failed',
    findingsUpdated: findingsUpdated ?? 0,
    ...(failuresAfter ? { failures: failuresAfter } : {}),
  };
};

/** The comment and transition for the status change this state calls for. */
const ticketStep = (
  deps: PipelineDeps,
  state: {
    failing: boolean;
    active: boolean;
    record: RepositoryRecord;
    suppression: Suppression | undefined;
    fingerprint: string;
    failures: number;
  },
): TicketStep => {
  const { transitions } = deps.settings;
  const { suppression, record } = state;
  if (state.active && suppression) {
    return {
      tag: `suppressed:${suppression.id}`,
      comment: comments.suppressed(
        suppression.requestedBy,
        suppression.expiresAt.slice(0, 10),
        suppression.justification,
        formatAuditRecord(auditRecordOf(suppression)),
      ),
      transition: transitions.suppressed,
    };
  }
  if (state.failing) {
    const ended = suppression && (suppression.status === 'revoked' || suppression.status === 'expired');
    // After a loss of Redis the ticket's last comment is unknown: a rebuilt suppression that ended explains the reopening.
    const lastComment =
      record.ticket?.lastComment ?? (suppression?.restoredAt ? `suppressed:${suppression.id}` : undefined);
    return ended && lastComment === `suppressed:${suppression.id}`
      ? {
          tag: `suppression-ended:${suppression.id}`,
          comment: comments.suppressionEnded(
            endedWhy(suppression),
            formatAuditRecord(auditRecordOf(suppression)),
          ),
          transition: transitions.reopen,
        }
      : {
          tag: `reopen:${state.fingerprint}`,
          comment: comments.failsAgain(state.failures),
          transition: transitions.reopen,
        };
  }
  if (record.fix?.status === 'succeeded') {
    return {
      tag: `fixed:${record.fix.at}`,
      comment: comments.fixed(record.fix.by, record.fix.at),
      transition: transitions.done,
    };
  }
  return { tag: `passed:${state.fingerprint}`, comment: comments.passed(), transition: transitions.done };
};

const endedWhy = (suppression: Suppression): string =>
  suppression.status === 'revoked'
    ? `revoked by ${suppression.reviewedBy ?? 'a reviewer'}${suppression.endReason ? `: ${suppression.endReason}` : ''}`
    : `it expired on ${suppression.expiresAt.slice(0, 10)}`;

/**
 * Mirrors the repository's state onto its findings' workflow status: a ticket makes NEW findings
 * NOTIFIED, a fix RESOLVED, a suppression SUPPRESSED, and an ended suppression NEW with a note saying why.
 */
const mirrorWorkflow = async (
  deps: PipelineDeps,
  input: {
    findings: readonly Finding[];
    failures: readonly Finding[];
    owner: OwnerResolution;
    suppression: Suppression | undefined;
    active: boolean;
    record: RepositoryRecord;
    /** why the ticket could not be made or changed in this run */
    ticketProblem: string | undefined;
  },
): Promise<number> => {
  const ticketKey = input.record.ticket?.key;
  const refs = { ticketKey, message: input.record.message };
  const { suppression } = input;
  const ours = (finding: Finding, head: string) => finding.hubwardenNote?.startsWith(head) ?? false;
  if (input.active && suppression) {
    // A finding a person suppressed in Security Hub itself keeps their note; ours carry the current record.
    const targets = input.failures.filter(
      (finding) => finding.workflow !== 'SUPPRESSED' || ours(finding, SUPPRESSED_NOTE),
    );
    return setWorkflow(deps, targets, 'SUPPRESSED', notes.suppressed(refs, suppression), {
      rewriteNote: true,
    });
  }
  // Findings a person suppressed in Security Hub itself are theirs to keep: only ours are restored.
  const suppressedByUs = input.findings.filter(
    (finding) => finding.workflow === 'SUPPRESSED' && ours(finding, SUPPRESSED_NOTE),
  );
  if (
    suppression &&
    suppression.status !== 'active' &&
    suppression.status !== 'pending' &&
    suppressedByUs.length > 0
  ) {
    return setWorkflow(
      deps,
      suppressedByUs,
      'NEW',
      notes.restored(refs, `the suppression ended (${endedWhy(suppression)})`, suppression),
    );
  }
  if (suppression?.status === 'pending') {
    // Nothing changes status while a suppression waits for review, but the note carries its record.
    const targets = input.failures.filter(
      (finding) => finding.workflow === 'NEW' || finding.workflow === 'NOTIFIED',
    );
    return setWorkflow(deps, targets, 'NOTIFIED', notes.pending(refs, suppression), { rewriteNote: true });
  }
  let moved = 0;
  if (suppression && !suppression.activatedAt) {
    // A request rejected or lapsed unanswered: its pending record must not come back as pending.
    const asked = input.findings.filter(
      (finding) => finding.workflow === 'NOTIFIED' && ours(finding, PENDING_NOTE),
    );
    moved += await setWorkflow(deps, asked, 'NOTIFIED', notes.requestClosed(refs, suppression), {
      rewriteNote: true,
    });
  }
  const { ticketProblem } = input;
  // Without a ticket the owner is still told (by the message), so the findings are notified all the same.
  if (!ticketProblem && (!ticketKey || input.record.ticket?.status !== 'open')) return moved;
  // NEW with hubwarden's own "back to NEW" note is a deliberate state, not a new finding to notify.
  const fresh = input.failures.filter(
    (finding) =>
      (finding.workflow === 'NEW' && !finding.hubwardenNote?.startsWith(RESTORED_NOTE)) ||
      // notified while the ticket failed: the note now names the ticket instead
      (!ticketProblem &&
        ticketKey !== undefined &&
        finding.workflow === 'NOTIFIED' &&
        finding.hubwardenNote?.includes(TICKET_FAILED_MARK) === true),
  );
  return (
    moved +
    (await setWorkflow(deps, fresh, 'NOTIFIED', notes.notified(refs, input.owner, ticketProblem), {
      rewriteNote: true,
    }))
  );
};

const cardDetail = (
  record: RepositoryRecord,
  suppression: Suppression | undefined,
): Pick<RepositoryCard, 'actor' | 'at' | 'reason'> => {
  if (suppression && suppression.status !== 'expired' && suppression.status !== 'revoked') {
    return { actor: suppression.requestedBy, at: suppression.requestedAt, reason: undefined };
  }
  if (suppression?.endedAt && (!record.fix || record.fix.at < suppression.endedAt)) {
    return { actor: suppression.reviewedBy, at: suppression.endedAt, reason: endedWhy(suppression) };
  }
  if (record.fix) return { actor: record.fix.by, at: record.fix.at, reason: record.fix.reason };
  return { actor: undefined, at: undefined, reason: undefined };
};

const publishCard = async (
  deps: PipelineDeps,
  current: RepositoryRecord['message'],
  save: (message: NonNullable<RepositoryRecord['message']>) => Promise<void>,
  card: RepositoryCard,
): Promise<MessageOutcome> => {
  if (!deps.chat) return 'none';
  const result = await ensureMessage(
    { chat: deps.chat, state: deps.state, log: deps.log },
    { record: current, channel: card.owner.owner.slackChannel, card, save },
  );
  return result.outcome;
};
