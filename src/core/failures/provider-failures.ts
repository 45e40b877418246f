import { errorKindOf, isHubwardenError } from '../errors.js';
import type { RepositoryRef } from '../model.js';
import type { ProviderFailure, RepositoryFailures, StateStore } from '../ports/state-store.js';

/** When a failed repository is tried again: one poll interval, doubling up to a cap. */
export interface RetryBackoff {
  readonly baseMs: number;
  readonly capMs: number;
}

const REASON_LIMIT = 200;

/** The first line of a provider's answer, short enough for a card, a note or a metric's neighbour. */
const oneLine = (text: string): string => {
  const line = (text.split(/\r?\n/)[0] ?? '').replace(/\s+/g, ' ').trim();
  return line.length <= REASON_LIMIT ? line : `${line.slice(0, REASON_LIMIT - 1)}…`;
};

/** Which provider failed, with the error's code and a one-line reason (adapters never put secrets in it). */
export const describeFailure = (error: unknown): { provider: string; code: string; reason: string } =>
  isHubwardenError(error)
    ? { provider: error.service, code: error.code, reason: oneLine(error.message) }
    : {
        provider: 'hubwarden',
        code: 'internal',
        reason: oneLine(error instanceof Error ? error.message : String(error)),
      };

/**
 * A failure that retrying now cannot fix: a refusal (permanent), or any failure of the last attempt the
 * queue will make. A rate limit is never final: the queue waits and tries again.
 */
export const isFinalFailure = (error: unknown, finalAttempt: boolean): boolean => {
  const kind = errorKindOf(error);
  return kind === 'permanent' || (finalAttempt && kind !== 'rate-limited');
};

const retryDelayMs = (attempts: number, backoff: RetryBackoff): number =>
  Math.min(backoff.capMs, backoff.baseMs * 2 ** Math.min(attempts - 1, 20));

/** The failure after `previous` (same streak) for this error, at `now`. */
const nextFailure = (
  previous: ProviderFailure | undefined,
  error: unknown,
  now: Date,
  backoff: RetryBackoff,
): ProviderFailure => {
  const { code, reason } = describeFailure(error);
  const attempts = (previous?.attempts ?? 0) + 1;
  return {
    code,
    reason,
    since: previous?.since ?? now.toISOString(),
    at: now.toISOString(),
    attempts,
    retryAt: new Date(now.getTime() + retryDelayMs(attempts, backoff)).toISOString(),
  };
};

/** The earliest time any of the repository's failed parts may be tried again. */
export const retryAtOf = (failures: RepositoryFailures): string =>
  Object.values(failures.providers).reduce(
    (earliest, failure) => (failure.retryAt < earliest ? failure.retryAt : earliest),
    '9999-12-31T23:59:59.999Z',
  );

/** The latest failure: a new one names new work, so its retry is a new job. */
export const lastFailureAt = (failures: RepositoryFailures | undefined): string | undefined =>
  failures
    ? Object.values(failures.providers).reduce<string | undefined>(
        (latest, failure) => (latest === undefined || failure.at > latest ? failure.at : latest),
        undefined,
      )
    : undefined;

/**
 * The failures of one run of a repository's work. Providers the run reached and that answered are
 * cleared at the end; those that failed are recorded with their backoff; those it never reached keep
 * what they had.
 */
export class FailureLedger {
  readonly #failed = new Map<string, unknown>();
  readonly #succeeded = new Set<string>();

  constructor(
    private readonly deps: { state: Pick<StateStore, 'getFailures' | 'putFailures'>; clock: () => Date },
    private readonly repository: RepositoryRef,
    private readonly backoff: RetryBackoff,
  ) {}

  failed(provider: string, error: unknown): void {
    this.#failed.set(provider, error);
    this.#succeeded.delete(provider);
  }

  succeeded(provider: string): void {
    if (!this.#failed.has(provider)) this.#succeeded.add(provider);
  }

  /** one-line reason of this run's failure at `provider`, if it failed */
  reasonOf(provider: string): string | undefined {
    return this.#failed.has(provider) ? describeFailure(this.#failed.get(provider)).reason : undefined;
  }

  get anyFailed(): boolean {
    return this.#failed.size > 0;
  }

  /** writes the repository's failure state; answers it (undefined when nothing is failing) */
  async save(): Promise<RepositoryFailures | undefined> {
    const previous = await this.deps.state.getFailures(this.repository.key);
    const providers: Record<string, ProviderFailure> = { ...previous?.providers };
    for (const provider of this.#succeeded) delete providers[provider];
    const now = this.deps.clock();
    for (const [provider, error] of this.#failed) {
      providers[provider] = nextFailure(previous?.providers[provider], error, now, this.backoff);
    }
    const failures = { repositoryArn: this.repository.arn, providers };
    if (this.#failed.size === 0 && this.#succeeded.size === 0) return previous;
    await this.deps.state.putFailures(this.repository.key, failures);
    return Object.keys(providers).length > 0 ? failures : undefined;
  }
}

/** One provider's failing part of a repository's work, as the CLI shows it. */
export interface FailingProvider {
  readonly provider: string;
  readonly code: string;
  readonly reason: string;
  readonly attempts: number;
  readonly since: string;
  readonly retryAt: string;
}

/** What a repository's work is failing at, one entry per provider. */
export const failingProviders = (failures: RepositoryFailures | undefined): FailingProvider[] =>
  Object.entries(failures?.providers ?? {}).map(([provider, failure]) => ({
    provider,
    code: failure.code,
    reason: failure.reason,
    attempts: failure.attempts,
    since: failure.since,
    retryAt: failure.retryAt,
  }));
