import { parseFinding, type SkipReason } from '../findings/parse-finding.js';
import { isFailing } from '../findings/repository-findings.js';
import { lastFailureAt, retryAtOf } from '../failures/provider-failures.js';
import { digestOf } from '../hash.js';
import type { Finding } from '../model.js';
import type { Ticket } from '../ports/ticket-tracker.js';
import type { TicketIndexEntry } from '../ports/state-store.js';
import { preferredTicket } from '../tickets/ensure-ticket.js';
import { MANAGED_LABEL } from '../tickets/ticket-content.js';
import type { PipelineDeps } from './pipeline-deps.js';
import { inputsFingerprint } from './reconcile-repository.js';
import { restoreSuppressions } from './restore-suppressions.js';
import type { Suppression } from '../suppression.js';

export type PollMode = 'full' | 'incremental';

export interface PollOptions {
  /** `auto`: full when there is no cursor or the last full read is older than `fullEveryMs` */
  readonly mode: PollMode | 'auto';
  /** re-read this much before the cursor: `UpdatedAt` is not strictly monotonic across regions */
  readonly overlapMs: number;
  readonly fullEveryMs: number;
  /**
   * Repositories whose work failed for good are enqueued again without their findings changing: `due`
   * (default) once their backoff has passed, `all` at once (`hubwarden sync --once`).
   */
  readonly retryFailed?: 'due' | 'all';
}

export interface DueRepository {
  readonly repositoryKey: string;
  readonly fingerprint: string;
  /**
   * Names this piece of work (the job id is derived from it): the same change seen by two polls is one
   * piece of work, but a repository that returns to an earlier state (FAILED, PASSED, FAILED again) or
   * is tried again after a failure is a new one, even while the earlier job is still kept.
   */
  readonly generation: string;
}

/** Queues the work for the due repositories; the cursor moves only once this has resolved. */
export type QueueDue<Q> = (due: readonly DueRepository[]) => Promise<Q>;

/** The newest `UpdatedAt` of these findings: Security Hub moves it at every re-evaluation. */
const newestUpdate = (findings: readonly Finding[]): string =>
  findings.reduce((newest, finding) => (finding.updatedAt > newest ? finding.updatedAt : newest), '');

const workGeneration = (
  findings: readonly Finding[],
  fingerprint: string,
  processedFingerprint: string | undefined,
  lastFailureAt: string | undefined,
): string =>
  digestOf([processedFingerprint ?? null, fingerprint, newestUpdate(findings), lastFailureAt ?? null]);

export interface PollResult<Q = unknown> {
  readonly mode: PollMode;
  readonly pages: number;
  readonly findings: number;
  readonly skipped: Readonly<Record<SkipReason, number>>;
  readonly repositoriesSeen: number;
  /** repositories whose inputs changed since they were last acted on */
  readonly due: readonly DueRepository[];
  readonly duplicateTicketsClosed: number;
  /** repositories with an active failed finding among those this poll read (all of them on a full read) */
  readonly failingRepositories: number;
  /** findings read by this poll, by `COMPLIANCE/WORKFLOW` */
  readonly byState: Readonly<Record<string, number>>;
  /** what `queueDue` answered */
  readonly queued: Q;
  /** suppressions the state store had lost, rebuilt from the audit record in their findings' notes */
  readonly restoredSuppressions: readonly Suppression[];
}

/**
 * One poll of the findings source. Incremental polls read only findings updated since the cursor (an
 * idle poll costs one call); a full read also forgets findings that disappeared and rebuilds the index
 * of managed tickets, which is how hubwarden finds its tickets again after losing its state.
 *
 * The cursor moves forward only after `queueDue` has queued the work this poll found: a poll that stops
 * in between (a crash, a Redis error) leaves the cursor where it was, so the next poll reads the same
 * findings again and queues them then (a job queued twice has the same id and runs once).
 */
export const pollFindings = async <Q>(
  deps: PipelineDeps,
  options: PollOptions,
  queueDue: QueueDue<Q>,
): Promise<PollResult<Q>> => {
  const now = deps.clock();
  const cursor = await deps.state.getPollCursor();
  const mode: PollMode =
    options.mode !== 'auto'
      ? options.mode
      : !cursor || now.getTime() - Date.parse(cursor.lastFullAt) >= options.fullEveryMs
        ? 'full'
        : 'incremental';
  const since =
    mode === 'incremental' && cursor ? new Date(Date.parse(cursor.updatedAt) - options.overlapMs) : undefined;

  const skipped: Record<SkipReason, number> = { 'other-control': 0, 'no-repository': 0, malformed: 0 };
  const touched = new Set<string>();
  // The ids this read returned live in the store: a full read returns every finding of the estate.
  const seen = deps.state.seenFindings();
  let findingsRead = 0;
  const byState: Record<string, number> = {};
  let pages = 0;
  let newest = cursor?.updatedAt ?? new Date(0).toISOString();
  const restored: Suppression[] = [];
  try {
    for await (const page of deps.findingsSource.pages({
      controlId: deps.control.controlId,
      ...(since ? { updatedSince: since } : {}),
    })) {
      pages += 1;
      const findings: Finding[] = [];
      for (const raw of page.findings) {
        const parsed = parseFinding(raw, deps.control.controlId);
        if (!parsed.ok) {
          skipped[parsed.reason] += 1;
          if (parsed.reason === 'malformed')
            deps.log.warn({ findingId: parsed.id, detail: parsed.detail }, 'malformed finding skipped');
          continue;
        }
        findings.push(parsed.finding);
        const state = `${parsed.finding.compliance}/${parsed.finding.workflow}`;
        byState[state] = (byState[state] ?? 0) + 1;
        touched.add(parsed.finding.repository.key);
        if (parsed.finding.updatedAt > newest) newest = parsed.finding.updatedAt;
      }
      await deps.state.mergeFindings(findings);
      findingsRead += await seen.add(findings.map((finding) => finding.id));
      // Suppressions live in Redis; their notes in Security Hub rebuild any that were lost with it.
      restored.push(...(await restoreSuppressions(deps, findings)));
    }

    if (mode === 'full') {
      for (const key of await seen.retainOnlySeen()) touched.add(key);
    }
  } finally {
    // a record left behind (Redis unreachable) expires on its own: never hide the read's own error
    await seen.discard().catch(() => undefined);
  }

  let duplicateTicketsClosed = 0;
  if (mode === 'full') {
    // The index only saves searches: a poll that cannot refresh it still delivers its findings.
    duplicateTicketsClosed = await refreshTicketIndex(deps).catch((error: unknown) => {
      deps.log.warn({ err: error }, 'ticket index not refreshed; repositories without a record will search');
      return 0;
    });
  }
  const due: DueRepository[] = [];
  const failed = await deps.state.listFailures();
  const dueFor = async (repositoryKey: string): Promise<DueRepository> => {
    const findings = await deps.state.findingsOf(repositoryKey);
    const fingerprint = inputsFingerprint(findings, deps);
    const record = await deps.state.getRecord(repositoryKey);
    const lastFailure = lastFailureAt(failed.get(repositoryKey));
    return {
      repositoryKey,
      fingerprint,
      generation: workGeneration(findings, fingerprint, record?.processedFingerprint, lastFailure),
    };
  };
  let failingRepositories = 0;
  for (const repositoryKey of touched) {
    const findings = await deps.state.findingsOf(repositoryKey);
    if (isFailing(findings)) failingRepositories += 1;
    const fingerprint = inputsFingerprint(findings, deps);
    const record = await deps.state.getRecord(repositoryKey);
    if (record?.processedFingerprint !== fingerprint) due.push(await dueFor(repositoryKey));
  }
  // Failed for good, perhaps for a cause an operator has since fixed: tried again after the backoff.
  const dueKeys = new Set(due.map((entry) => entry.repositoryKey));
  for (const [repositoryKey, failures] of failed) {
    if (dueKeys.has(repositoryKey)) continue;
    if (options.retryFailed !== 'all' && Date.parse(retryAtOf(failures)) > now.getTime()) continue;
    due.push(await dueFor(repositoryKey));
  }
  const queued = await queueDue(due);
  await deps.state.setPollCursor({
    updatedAt: newest,
    lastFullAt: mode === 'full' ? now.toISOString() : (cursor?.lastFullAt ?? now.toISOString()),
  });
  const result = {
    mode,
    pages,
    findings: findingsRead,
    skipped,
    repositoriesSeen: touched.size,
    due,
    duplicateTicketsClosed,
    failingRepositories,
    byState,
    queued,
    restoredSuppressions: restored,
  };
  deps.log.info(
    { ...result, due: due.length, queued: undefined, restoredSuppressions: restored.length },
    'poll finished',
  );
  return result;
};

const REPOSITORY_LABEL = /^hubwarden-r[0-9a-f]{16}$/;

/** A record that still names a closed duplicate moves to the ticket that was kept. */
const repointRecord = async (deps: PipelineDeps, label: string, duplicateKey: string, keep: Ticket) => {
  const record = await deps.state.getRecord(label.slice('hubwarden-'.length));
  if (record?.ticket?.key !== duplicateKey) return;
  await deps.state.putRecord({
    ...record,
    // content unknown: the next reconcile rewrites the kept ticket's description once
    ticket: { key: keep.key, url: keep.url, status: keep.status, contentHash: '', lastComment: undefined },
  });
};

/**
 * Reads every managed ticket in one paged search and indexes it by repository label. Where a lagging
 * search once let a second ticket be created, the newer ones are closed as duplicates of the oldest.
 */
export const refreshTicketIndex = async (deps: PipelineDeps): Promise<number> => {
  const byLabel = new Map<string, Ticket[]>();
  for (const ticket of await deps.tracker.findByLabels([MANAGED_LABEL])) {
    for (const label of ticket.labels.filter((candidate) => REPOSITORY_LABEL.test(candidate))) {
      byLabel.set(label, [...(byLabel.get(label) ?? []), ticket]);
    }
  }
  const index = new Map<string, TicketIndexEntry>();
  let closed = 0;
  for (const [label, tickets] of byLabel) {
    const keep = preferredTicket(tickets);
    if (!keep) continue;
    index.set(label, { key: keep.key, url: keep.url, status: keep.status });
    for (const duplicate of tickets.filter((ticket) => ticket !== keep && ticket.status === 'open')) {
      await deps.tracker.comment(duplicate.key, [
        {
          type: 'paragraph',
          content: [
            { type: 'text', text: `Duplicate of ${keep.key}; hubwarden keeps one ticket per repository.` },
          ],
        },
      ]);
      await deps.tracker.transition(duplicate.key, deps.settings.transitions.done);
      await repointRecord(deps, label, duplicate.key, keep);
      closed += 1;
      deps.log.warn({ ticket: duplicate.key, kept: keep.key }, 'duplicate ticket closed');
    }
  }
  await deps.state.putTicketIndex(index);
  return closed;
};
