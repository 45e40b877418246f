import { parseFinding, type SkipReason } from '../findings/parse-finding.js';
import { isFailing } from '../findings/repository-findings.js';
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
}

export interface DueRepository {
  readonly repositoryKey: string;
  readonly fingerprint: string;
}

export interface PollResult {
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
  /** suppressions the state store had lost, rebuilt from the audit record in their findings' notes */
  readonly restoredSuppressions: readonly Suppression[];
}

/**
 * One poll of the findings source. Incremental polls read only findings updated since the cursor (an
 * idle poll costs one call); a full read also forgets findings that disappeared and rebuilds the index
 * of managed tickets, which is how hubwarden finds its tickets again after losing its state.
 */
export const pollFindings = async (deps: PipelineDeps, options: PollOptions): Promise<PollResult> => {
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
  const seen = new Set<string>();
  const byState: Record<string, number> = {};
  let pages = 0;
  let newest = cursor?.updatedAt ?? new Date(0).toISOString();
  const restored: Suppression[] = [];
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
      seen.add(parsed.finding.id);
      touched.add(parsed.finding.repository.key);
      if (parsed.finding.updatedAt > newest) newest = parsed.finding.updatedAt;
    }
    await deps.state.mergeFindings(findings);
    // Suppressions live in Redis; their notes in Security Hub rebuild any that were lost with it.
    restored.push(...(await restoreSuppressions(deps, findings)));
  }

  let duplicateTicketsClosed = 0;
  if (mode === 'full') {
    for (const key of await deps.state.retainFindings(seen)) touched.add(key);
    // The index only saves searches: a poll that cannot refresh it still delivers its findings.
    duplicateTicketsClosed = await refreshTicketIndex(deps).catch((error: unknown) => {
      deps.log.warn({ err: error }, 'ticket index not refreshed; repositories without a record will search');
      return 0;
    });
  }
  await deps.state.setPollCursor({
    updatedAt: newest,
    lastFullAt: mode === 'full' ? now.toISOString() : (cursor?.lastFullAt ?? now.toISOString()),
  });

  const due: DueRepository[] = [];
  let failingRepositories = 0;
  for (const repositoryKey of touched) {
    const findings = await deps.state.findingsOf(repositoryKey);
    if (isFailing(findings)) failingRepositories += 1;
    const fingerprint = inputsFingerprint(findings, deps);
    const record = await deps.state.getRecord(repositoryKey);
    if (record?.processedFingerprint !== fingerprint) due.push({ repositoryKey, fingerprint });
  }
  const result = {
    mode,
    pages,
    findings: seen.size,
    skipped,
    repositoriesSeen: touched.size,
    due,
    duplicateTicketsClosed,
    failingRepositories,
    byState,
    restoredSuppressions: restored,
  };
  deps.log.info({ ...result, due: due.length, restoredSuppressions: restored.length }, 'poll finished');
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
