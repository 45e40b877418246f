import { randomUUID } from 'node:crypto';
import { HubwardenError } from '../../core/errors.js';
import type { Finding } from '../../core/model.js';
import type {
  PollCursor,
  RepositoryFailures,
  RepositoryRecord,
  SeenFindings,
  StateStore,
  TicketIndexEntry,
} from '../../core/ports/state-store.js';
import type { Suppression } from '../../core/suppression.js';
import type { RedisConnection } from './connection.js';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const LOCK_POLL_MS = 50;
/**
 * Deletes a repository's stored findings whose ids are not in the read's set (KEYS[1]: the findings hash,
 * KEYS[2]: the set of ids the read returned); answers how many it deleted. HDEL in slices: Lua's unpack
 * takes a few thousand values at most.
 */
const FORGET_UNSEEN = `local gone = {}
for _, id in ipairs(redis.call('hkeys', KEYS[1])) do
  if redis.call('sismember', KEYS[2], id) == 0 then gone[#gone + 1] = id end
end
for i = 1, #gone, 1000 do
  redis.call('hdel', KEYS[1], unpack(gone, i, math.min(i + 999, #gone)))
end
return #gone`;
/** A read that never ends (a crash) leaves its set of ids behind this long at most. */
const SEEN_TTL_MS = 6 * 60 * 60 * 1000;
/** Repositories swept per round trip after a full read. */
const SWEEP_BATCH = 500;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * hubwarden's state in Redis. Every key starts with `<prefix>:state:` and the prefix carries the
 * `{hubwarden}` hash tag, so all keys live in one Redis Cluster slot and pipelines stay legal there.
 */
export class RedisStateStore implements StateStore {
  readonly #redis: RedisConnection;
  readonly #prefix: string;

  constructor(redis: RedisConnection, prefix: string) {
    this.#redis = redis;
    this.#prefix = `${prefix}:state`;
  }

  #key(...parts: string[]): string {
    return [this.#prefix, ...parts].join(':');
  }

  async mergeFindings(findings: readonly Finding[]): Promise<void> {
    if (findings.length === 0) return;
    const pipeline = this.#redis.pipeline();
    for (const finding of findings) {
      pipeline.hset(this.#key('findings', finding.repository.key), finding.id, JSON.stringify(finding));
      pipeline.sadd(this.#key('repositories'), finding.repository.key);
    }
    await pipeline.exec();
  }

  async findingsOf(repositoryKey: string): Promise<Finding[]> {
    const stored = await this.#redis.hvals(this.#key('findings', repositoryKey));
    return stored.map((json) => JSON.parse(json) as Finding);
  }

  seenFindings(): SeenFindings {
    const seen = this.#key('seen-findings', randomUUID());
    return {
      add: async (findingIds) => {
        if (findingIds.length === 0) return 0;
        const answers = await this.#redis
          .multi()
          .sadd(seen, ...findingIds)
          .pexpire(seen, SEEN_TTL_MS)
          .exec();
        const added = answers?.[0];
        if (!added || added[0]) throw added?.[0] ?? new Error('seen findings: no answer from Redis');
        return added[1] as number;
      },
      retainOnlySeen: async () => {
        // Repository by repository, in Redis: the process holds one batch of repository keys at a time.
        const changed: string[] = [];
        let cursor = '0';
        do {
          const [next, keys] = await this.#redis.sscan(
            this.#key('repositories'),
            cursor,
            'COUNT',
            SWEEP_BATCH,
          );
          cursor = next;
          if (keys.length === 0) continue;
          const pipeline = this.#redis.pipeline();
          for (const key of keys) pipeline.eval(FORGET_UNSEEN, 2, this.#key('findings', key), seen);
          const answers = (await pipeline.exec()) ?? [];
          keys.forEach((key, index) => {
            const [error, gone] = answers[index] ?? [new Error('seen findings: no answer from Redis')];
            if (error) throw error;
            if ((gone as number) > 0) changed.push(key);
          });
        } while (cursor !== '0');
        return changed;
      },
      discard: async () => {
        await this.#redis.del(seen);
      },
    };
  }

  repositoryKeys(): Promise<string[]> {
    return this.#redis.smembers(this.#key('repositories'));
  }

  async getRecord(repositoryKey: string): Promise<RepositoryRecord | undefined> {
    const json = await this.#redis.get(this.#key('record', repositoryKey));
    return json ? (JSON.parse(json) as RepositoryRecord) : undefined;
  }

  async putRecord(record: RepositoryRecord): Promise<void> {
    await this.#redis
      .multi()
      .set(this.#key('record', record.repository.key), JSON.stringify(record))
      .sadd(this.#key('repositories'), record.repository.key)
      .exec();
  }

  async getFailures(repositoryKey: string): Promise<RepositoryFailures | undefined> {
    const json = await this.#redis.hget(this.#key('failures'), repositoryKey);
    return json ? (JSON.parse(json) as RepositoryFailures) : undefined;
  }

  async putFailures(repositoryKey: string, failures: RepositoryFailures | undefined): Promise<void> {
    if (!failures || Object.keys(failures.providers).length === 0) {
      await this.#redis.hdel(this.#key('failures'), repositoryKey);
      return;
    }
    await this.#redis.hset(this.#key('failures'), repositoryKey, JSON.stringify(failures));
  }

  async listFailures(): Promise<Map<string, RepositoryFailures>> {
    const all = await this.#redis.hgetall(this.#key('failures'));
    return new Map(Object.entries(all).map(([key, json]) => [key, JSON.parse(json) as RepositoryFailures]));
  }

  async getPollCursor(): Promise<PollCursor | undefined> {
    const json = await this.#redis.get(this.#key('poll-cursor'));
    return json ? (JSON.parse(json) as PollCursor) : undefined;
  }

  async setPollCursor(cursor: PollCursor): Promise<void> {
    await this.#redis.set(this.#key('poll-cursor'), JSON.stringify(cursor));
  }

  async putTicketIndex(entries: ReadonlyMap<string, TicketIndexEntry>): Promise<void> {
    const key = this.#key('ticket-index');
    const staging = `${key}:staging`;
    const pipeline = this.#redis.multi().del(staging);
    for (const [label, entry] of entries) pipeline.hset(staging, label, JSON.stringify(entry));
    // The marker field tells "indexed, no ticket" apart from "no index" (never built, or Redis flushed).
    pipeline.hset(staging, '@built', new Date().toISOString()).rename(staging, key);
    await pipeline.exec();
  }

  async lookupTicketIndex(label: string): Promise<{ indexed: boolean; entry: TicketIndexEntry | undefined }> {
    const [built, json] = await this.#redis.hmget(this.#key('ticket-index'), '@built', label);
    return { indexed: built !== null, entry: json ? (JSON.parse(json) as TicketIndexEntry) : undefined };
  }

  async getSuppression(id: string): Promise<Suppression | undefined> {
    const json = await this.#redis.hget(this.#key('suppressions'), id);
    return json ? (JSON.parse(json) as Suppression) : undefined;
  }

  async putSuppression(suppression: Suppression): Promise<void> {
    await this.#redis.hset(this.#key('suppressions'), suppression.id, JSON.stringify(suppression));
  }

  async listSuppressions(): Promise<Suppression[]> {
    const all = await this.#redis.hvals(this.#key('suppressions'));
    return all.map((json) => JSON.parse(json) as Suppression);
  }

  async withLock<T>(
    name: string,
    options: { ttlMs: number; waitMs: number },
    work: () => Promise<T>,
  ): Promise<T> {
    const key = this.#key('lock', name);
    const token = randomUUID();
    const deadline = Date.now() + options.waitMs;
    while ((await this.#redis.set(key, token, 'PX', options.ttlMs, 'NX')) !== 'OK') {
      if (Date.now() >= deadline) {
        throw new HubwardenError(`lock ${name} is busy`, {
          kind: 'retryable',
          code: 'state.lock_busy',
          service: 'redis',
        });
      }
      await sleep(LOCK_POLL_MS);
    }
    // Renewed while the work runs, so the TTL can be short: a holder that dies frees the lock within it.
    const renewal = setInterval(
      () => {
        this.#redis.eval(RENEW, 1, key, token, String(options.ttlMs)).catch(() => undefined);
      },
      Math.max(50, Math.floor(options.ttlMs / 3)),
    );
    renewal.unref();
    try {
      return await work();
    } finally {
      clearInterval(renewal);
      await this.#redis.eval(RELEASE, 1, key, token);
    }
  }

  async cached<T>(namespace: string, key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
    const cacheKey = this.#key('cache', namespace, key);
    const hit = await this.#redis.get(cacheKey);
    if (hit !== null) return JSON.parse(hit) as T;
    const value = await load();
    await this.#redis.set(cacheKey, JSON.stringify(value ?? null), 'PX', ttlMs);
    return value;
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    return (await this.#redis.set(this.#key('claim', key), '1', 'PX', ttlMs, 'NX')) === 'OK';
  }

  async releaseClaim(key: string): Promise<void> {
    await this.#redis.del(this.#key('claim', key));
  }
}
