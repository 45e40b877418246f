import type { Finding, OwnerRule, RepositoryRef, Risk } from '../model.js';
import type { Suppression } from '../suppression.js';
import type { TicketStatusCategory } from './ticket-tracker.js';

export interface TicketRecord {
  readonly key: string;
  readonly url: string;
  readonly status: TicketStatusCategory;
  /** digest of the content last written (summary, description, assignee) */
  readonly contentHash: string;
  /** tag of the lifecycle step whose comment was posted last, so a rerun never comments twice */
  readonly lastComment: string | undefined;
}

export interface MessageRecord {
  readonly channel: string;
  readonly ts: string;
  /** digest of the card last posted or updated */
  readonly contentHash: string;
}

export interface FixRecord {
  readonly status: 'queued' | 'succeeded' | 'failed';
  readonly by: string;
  readonly at: string;
  readonly reason: string | undefined;
}

/** What hubwarden remembers about one repository. Everything here can be rebuilt from the outside world. */
export interface RepositoryRecord {
  readonly repository: RepositoryRef;
  readonly ticket: TicketRecord | undefined;
  readonly message: MessageRecord | undefined;
  readonly owner:
    | {
        readonly name: string;
        readonly rule: OwnerRule;
        readonly detail: string;
        /** who may press Fix / Suppress besides security reviewers */
        readonly slackUsers: readonly string[];
        readonly channel: string | undefined;
      }
    | undefined;
  readonly risks: readonly Risk[];
  readonly fix: FixRecord | undefined;
  /** the suppression that applies now or applied last */
  readonly suppressionId: string | undefined;
  /** digest of the inputs last acted on; a poll enqueues the repository only when it differs */
  readonly processedFingerprint: string | undefined;
}

/** Why one provider's part of a repository's work failed for good, and when it is tried again. */
export interface ProviderFailure {
  /** the classified error code, e.g. `jira.invalid`, `ecr.access_denied` */
  readonly code: string;
  /** one line from the provider's answer; never a secret */
  readonly reason: string;
  /** first failure of this streak (ISO) */
  readonly since: string;
  /** latest failure (ISO) */
  readonly at: string;
  /** failures in a row */
  readonly attempts: number;
  /** not tried again before this time (ISO); `hubwarden sync --once` tries at once */
  readonly retryAt: string;
}

/** A repository whose work failed for good at one or more providers. */
export interface RepositoryFailures {
  readonly repositoryArn: string;
  /** by provider (`jira`, `slack`, `securityhub`, `ecr`, `sts`, ...) */
  readonly providers: Readonly<Record<string, ProviderFailure>>;
}

export interface PollCursor {
  /** highest `UpdatedAt` seen (ISO) */
  readonly updatedAt: string;
  /** when the last full reconcile finished (ISO) */
  readonly lastFullAt: string;
}

export interface TicketIndexEntry {
  readonly key: string;
  readonly url: string;
  readonly status: TicketStatusCategory;
}

/**
 * The finding ids one read of the findings source has returned, kept by the store rather than in the
 * process: a full read returns every finding of the estate, and its memory must not grow with them.
 */
export interface SeenFindings {
  /** records ids the read returned; answers how many of them it had not returned before */
  add(findingIds: readonly string[]): Promise<number>;
  /** after a full read: forgets stored findings it did not return; answers the repositories that changed */
  retainOnlySeen(): Promise<string[]>;
  /** drops the record (it also expires on its own when a read never ends) */
  discard(): Promise<void>;
}

/** hubwarden's own durable state (Redis). */
export interface StateStore {
  /** stores findings (replacing earlier copies by id) */
  mergeFindings(findings: readonly Finding[]): Promise<void>;
  findingsOf(repositoryKey: string): Promise<Finding[]>;
  /** an empty record of the finding ids one read returns */
  seenFindings(): SeenFindings;
  repositoryKeys(): Promise<string[]>;

  getRecord(repositoryKey: string): Promise<RepositoryRecord | undefined>;
  putRecord(record: RepositoryRecord): Promise<void>;

  /** the repository's failures for good, if any */
  getFailures(repositoryKey: string): Promise<RepositoryFailures | undefined>;
  /** replaces them; `undefined` or no providers forgets the repository's failures */
  putFailures(repositoryKey: string, failures: RepositoryFailures | undefined): Promise<void>;
  /** every repository with failures, by repository key, read in one call (polls and metrics use it) */
  listFailures(): Promise<Map<string, RepositoryFailures>>;

  getPollCursor(): Promise<PollCursor | undefined>;
  setPollCursor(cursor: PollCursor): Promise<void>;

  /** replaces the index of managed tickets (label → ticket), read in bulk from the tracker */
  putTicketIndex(entries: ReadonlyMap<string, TicketIndexEntry>): Promise<void>;
  /** `indexed` is false when no index exists (never built, or state was lost) */
  lookupTicketIndex(label: string): Promise<{ indexed: boolean; entry: TicketIndexEntry | undefined }>;

  getSuppression(id: string): Promise<Suppression | undefined>;
  putSuppression(suppression: Suppression): Promise<void>;
  listSuppressions(): Promise<Suppression[]>;

  /**
   * Runs `work` holding a lock of this name across every process; waits up to `waitMs` for it. The lock
   * is renewed while `work` runs and lapses `ttlMs` after its holder dies.
   * Throws a retryable `HubwardenError` (`state.lock_busy`) when it cannot be had.
   */
  withLock<T>(name: string, options: { ttlMs: number; waitMs: number }, work: () => Promise<T>): Promise<T>;
  /** a value cached for `ttlMs` across processes */
  cached<T>(namespace: string, key: string, ttlMs: number, load: () => Promise<T>): Promise<T>;
  /** sets `key` only if absent (with a time to live); true when this call set it */
  claim(key: string, ttlMs: number): Promise<boolean>;
  /** gives a claim back before its TTL, for work that is known not to have happened */
  releaseClaim(key: string): Promise<void>;
}
