import { randomUUID } from 'node:crypto';
import { HubwardenError } from '../../src/core/errors.js';
import type { Finding } from '../../src/core/model.js';
import type {
  PollCursor,
  RepositoryFailures,
  RepositoryRecord,
  SeenFindings,
  StateStore,
  TicketIndexEntry,
} from '../../src/core/ports/state-store.js';
import type { Suppression } from '../../src/core/suppression.js';

/**
 * An in-memory `StateStore` with the semantics of `RedisStateStore`: values go through JSON (so
 * `undefined` fields vanish exactly as they do in Redis), time to live is measured on an injectable
 * clock, locks exclude each other within the process and expire after their TTL on that clock.
 */
export interface MemoryStateStoreOptions {
  /** the clock TTLs are measured on; default the system clock */
  readonly clock?: () => Date;
}

interface Expiring {
  readonly value: string;
  readonly expiresAt: number;
}

interface HeldLock {
  readonly token: string;
  readonly expiresAt: number;
}

export class MemoryStateStore implements StateStore {
  readonly #clock: () => Date;
  readonly #findings = new Map<string, Map<string, string>>();
  readonly #repositories = new Set<string>();
  readonly #records = new Map<string, string>();
  #cursor: string | undefined;
  readonly #failures = new Map<string, string>();
  #ticketIndex: Map<string, string> | undefined;
  readonly #suppressions = new Map<string, string>();
  readonly #cache = new Map<string, Expiring>();
  readonly #claims = new Map<string, number>();
  readonly #locks = new Map<string, HeldLock>();
  /** resolves waiters when a lock is released */
  readonly #lockWaiters = new Map<string, Set<() => void>>();

  constructor(options: MemoryStateStoreOptions = {}) {
    this.#clock = options.clock ?? (() => new Date());
  }

  #now(): number {
    return this.#clock().getTime();
  }

  async mergeFindings(findings: readonly Finding[]): Promise<void> {
    for (const finding of findings) {
      const key = finding.repository.key;
      const stored = this.#findings.get(key) ?? new Map<string, string>();
      stored.set(finding.id, JSON.stringify(finding));
      this.#findings.set(key, stored);
      this.#repositories.add(key);
    }
  }

  async findingsOf(repositoryKey: string): Promise<Finding[]> {
    return [...(this.#findings.get(repositoryKey)?.values() ?? [])].map(
      (json) => JSON.parse(json) as Finding,
    );
  }

  seenFindings(): SeenFindings {
    const seen = new Set<string>();
    return {
      add: async (findingIds) => {
        const before = seen.size;
        for (const id of findingIds) seen.add(id);
        return seen.size - before;
      },
      retainOnlySeen: async () => {
        const changed: string[] = [];
        for (const repositoryKey of this.#repositories) {
          const stored = this.#findings.get(repositoryKey);
          if (!stored) continue;
          const gone = [...stored.keys()].filter((id) => !seen.has(id));
          if (gone.length === 0) continue;
          for (const id of gone) stored.delete(id);
          if (stored.size === 0) this.#findings.delete(repositoryKey);
          changed.push(repositoryKey);
        }
        return changed;
      },
      discard: async () => {
        seen.clear();
      },
    };
  }

  async repositoryKeys(): Promise<string[]> {
    return [...this.#repositories];
  }

  async getRecord(repositoryKey: string): Promise<RepositoryRecord | undefined> {
    const json = this.#records.get(repositoryKey);
    return json ? (JSON.parse(json) as RepositoryRecord) : undefined;
  }

  async putRecord(record: RepositoryRecord): Promise<void> {
    this.#records.set(record.repository.key, JSON.stringify(record));
    this.#repositories.add(record.repository.key);
  }

  async getFailures(repositoryKey: string): Promise<RepositoryFailures | undefined> {
    const json = this.#failures.get(repositoryKey);
    return json ? (JSON.parse(json) as RepositoryFailures) : undefined;
  }

  async putFailures(repositoryKey: string, failures: RepositoryFailures | undefined): Promise<void> {
    if (!failures || Object.keys(failures.providers).length === 0) this.#failures.delete(repositoryKey);
    else this.#failures.set(repositoryKey, JSON.stringify(failures));
  }

  async listFailures(): Promise<Map<string, RepositoryFailures>> {
    return new Map([...this.#failures].map(([key, json]) => [key, JSON.parse(json) as RepositoryFailures]));
  }

  async getPollCursor(): Promise<PollCursor | undefined> {
    return this.#cursor ? (JSON.parse(this.#cursor) as PollCursor) : undefined;
  }

  async setPollCursor(cursor: PollCursor): Promise<void> {
    this.#cursor = JSON.stringify(cursor);
  }

  async putTicketIndex(entries: ReadonlyMap<string, TicketIndexEntry>): Promise<void> {
    this.#ticketIndex = new Map([...entries].map(([label, entry]) => [label, JSON.stringify(entry)]));
  }

  async lookupTicketIndex(label: string): Promise<{ indexed: boolean; entry: TicketIndexEntry | undefined }> {
    const json = this.#ticketIndex?.get(label);
    return {
      indexed: this.#ticketIndex !== undefined,
      entry: json ? (JSON.parse(json) as TicketIndexEntry) : undefined,
    };
  }

  async getSuppression(id: string): Promise<Suppression | undefined> {
    const json = this.#suppressions.get(id);
    return json ? (JSON.parse(json) as Suppression) : undefined;
  }

  async putSuppression(suppression: Suppression): Promise<void> {
    this.#suppressions.set(suppression.id, JSON.stringify(suppression));
  }

  async listSuppressions(): Promise<Suppression[]> {
    return [...this.#suppressions.values()].map((json) => JSON.parse(json) as Suppression);
  }

  async withLock<T>(
    name: string,
    options: { ttlMs: number; waitMs: number },
    work: () => Promise<T>,
  ): Promise<T> {
    const token = randomUUID();
    const deadline = Date.now() + options.waitMs;
    while (!this.#tryLock(name, token, options.ttlMs)) {
      const remaining = deadline - Date.now();
      if (remaining <= 0 || !(await this.#waitForRelease(name, remaining))) {
        if (this.#tryLock(name, token, options.ttlMs)) break;
        throw new HubwardenError(`lock ${name} is busy`, {
          kind: 'retryable',
          code: 'state.lock_busy',
          service: 'redis',
        });
      }
    }
    try {
      return await work();
    } finally {
      this.#release(name, token);
    }
  }

  /** SET NX PX: free, or held past its TTL on the store's clock. */
  #tryLock(name: string, token: string, ttlMs: number): boolean {
    const held = this.#locks.get(name);
    if (held && held.expiresAt > this.#now()) return false;
    this.#locks.set(name, { token, expiresAt: this.#now() + ttlMs });
    return true;
  }

  /** Only the holder's token releases (as the Redis script does): an expired holder cannot free a successor. */
  #release(name: string, token: string): void {
    if (this.#locks.get(name)?.token !== token) return;
    this.#locks.delete(name);
    const waiters = this.#lockWaiters.get(name);
    const next = waiters?.values().next();
    if (next && !next.done) next.value();
  }

  /** true when woken by a release, false when `ms` passed first */
  #waitForRelease(name: string, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const waiters = this.#lockWaiters.get(name) ?? new Set<() => void>();
      this.#lockWaiters.set(name, waiters);
      const done = (woken: boolean) => {
        clearTimeout(timer);
        waiters.delete(wake);
        if (waiters.size === 0) this.#lockWaiters.delete(name);
        resolve(woken);
      };
      const wake = () => done(true);
      const timer = setTimeout(() => done(false), ms);
      waiters.add(wake);
    });
  }

  async cached<T>(namespace: string, key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
    const cacheKey = `${namespace}:${key}`;
    const hit = this.#cache.get(cacheKey);
    if (hit && hit.expiresAt > this.#now()) return JSON.parse(hit.value) as T;
    const value = await load();
    this.#cache.set(cacheKey, { value: JSON.stringify(value ?? null), expiresAt: this.#now() + ttlMs });
    return value;
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    const until = this.#claims.get(key);
    if (until !== undefined && until > this.#now()) return false;
    this.#claims.set(key, this.#now() + ttlMs);
    return true;
  }

  async releaseClaim(key: string): Promise<void> {
    this.#claims.delete(key);
  }
}
