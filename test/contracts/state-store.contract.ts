import { describe, expect, it } from 'vitest';
import { HubwardenError } from '../../src/core/errors.js';
import type { RepositoryRecord, StateStore, TicketIndexEntry } from '../../src/core/ports/state-store.js';
import type { Suppression } from '../../src/core/suppression.js';
import { emptyRecord } from '../../src/core/use-cases/reconcile-repository.js';
import { findingOf, suppressionOf } from '../support/fake-ports.js';

/** What a contract run needs from each implementation. */
export interface StateStoreHarness {
  readonly store: StateStore;
  /** lets `ms` pass for time-to-live purposes (a fake clock, or real time for Redis) */
  elapse(ms: number): Promise<void>;
}

const TTL_MS = 40;
const PAST_TTL_MS = 90;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
};

const alpha = (over: Partial<Parameters<typeof findingOf>[0]> = {}) =>
  findingOf({ accountId: '111111111111', region: 'eu-west-1', repositoryName: 'team/alpha', ...over });
const beta = (over: Partial<Parameters<typeof findingOf>[0]> = {}) =>
  findingOf({ accountId: '222222222222', region: 'us-east-1', repositoryName: 'beta', ...over });

const suppressionWith = (id: string, status: Suppression['status']): Suppression =>
  suppressionOf(alpha().repository, {
    id,
    status,
    justification: 'vendor image, re-pushed nightly by the vendor pipeline',
  });

/**
 * One behaviour for every `StateStore`: the in-memory fake the core's tests use must not be kinder
 * than the Redis adapter the service runs on.
 */
export const stateStoreContract = (name: string, setup: () => Promise<StateStoreHarness>): void => {
  describe(`StateStore contract: ${name}`, () => {
    describe('findings', () => {
      it('stores findings by repository and replaces earlier copies by id', async () => {
        const { store } = await setup();
        const first = alpha({ uuid: 'a1' });
        await store.mergeFindings([first, alpha({ uuid: 'a2' }), beta({ uuid: 'b1' })]);
        await store.mergeFindings([
          { ...first, workflow: 'NOTIFIED', hubwardenNote: 'hubwarden: Jira SEC-1' },
        ]);

        const ofAlpha = await store.findingsOf(first.repository.key);
        expect(ofAlpha.map((finding) => finding.id).sort()).toEqual(
          [first.id, alpha({ uuid: 'a2' }).id].sort(),
        );
        expect(ofAlpha.find((finding) => finding.id === first.id)).toMatchObject({
          workflow: 'NOTIFIED',
          hubwardenNote: 'hubwarden: Jira SEC-1',
          repository: first.repository,
        });
        expect(await store.findingsOf(beta().repository.key)).toHaveLength(1);
        expect((await store.repositoryKeys()).sort()).toEqual(
          [first.repository.key, beta().repository.key].sort(),
        );
      });

      it('answers nothing for an unknown repository and accepts an empty merge', async () => {
        const { store } = await setup();
        await store.mergeFindings([]);
        expect(await store.findingsOf('r0000000000000000')).toEqual([]);
        expect(await store.repositoryKeys()).toEqual([]);
      });

      it('a full read forgets unseen findings and answers exactly the repositories that changed', async () => {
        const { store } = await setup();
        const kept = alpha({ uuid: 'a1' });
        const dropped = alpha({ uuid: 'a2' });
        const untouched = beta({ uuid: 'b1' });
        await store.mergeFindings([kept, dropped, untouched]);

        const retainOnly = async (...pages: string[][]) => {
          const seen = store.seenFindings();
          for (const ids of pages) await seen.add(ids);
          const changed = await seen.retainOnlySeen();
          await seen.discard();
          return changed;
        };
        // ids arrive page by page, and a page may repeat one
        expect(await retainOnly([kept.id], [untouched.id, kept.id])).toEqual([kept.repository.key]);
        expect((await store.findingsOf(kept.repository.key)).map((finding) => finding.id)).toEqual([kept.id]);
        expect(await store.findingsOf(untouched.repository.key)).toHaveLength(1);

        expect((await retainOnly([untouched.id])).sort()).toEqual([kept.repository.key]);
        expect(await store.findingsOf(kept.repository.key)).toEqual([]);
        expect(await retainOnly([untouched.id])).toEqual([]);
        // a read that returned nothing forgets everything
        expect(await retainOnly()).toEqual([untouched.repository.key]);
        expect(await store.findingsOf(untouched.repository.key)).toEqual([]);
      });

      it('counts the ids a read returns once each, and keeps each read apart', async () => {
        const { store } = await setup();
        const first = store.seenFindings();
        const second = store.seenFindings();
        expect(await first.add(['f-1', 'f-2'])).toBe(2);
        expect(await first.add(['f-2', 'f-3', 'f-3'])).toBe(1);
        expect(await first.add([])).toBe(0);
        expect(await second.add(['f-1'])).toBe(1);
        await first.discard();
        await second.discard();
        expect(await store.seenFindings().add(['f-1'])).toBe(1);
      });
    });

    describe('records and cursor', () => {
      it('stores a repository record and lists its repository', async () => {
        const { store } = await setup();
        const repository = beta().repository;
        expect(await store.getRecord(repository.key)).toBeUndefined();
        const record: RepositoryRecord = {
          ...emptyRecord(repository),
          ticket: {
            key: 'SEC-7',
            url: 'https://jira/SEC-7',
            status: 'open',
            contentHash: 'h1',
            lastComment: 'reopen:x',
          },
          message: { channel: 'C0PAY', ts: '1.2', contentHash: 'm1' },
          owner: {
            name: 'payments',
            rule: 'tag',
            detail: 'tag Owner=payments',
            slackUsers: ['U0ALICE'],
            channel: 'C0PAY',
          },
          risks: [{ kind: 'floating-tags', summary: '1 floating tag', examples: ['latest'], count: 1 }],
          fix: { status: 'succeeded', by: 'U0ALICE', at: '2025-01-02T00:00:00.000Z', reason: undefined },
          processedFingerprint: 'fp',
        };
        await store.putRecord(record);
        const read = await store.getRecord(repository.key);
        expect(read).toEqual(JSON.parse(JSON.stringify(record)));
        expect(read?.ticket?.key).toBe('SEC-7');
        expect(await store.repositoryKeys()).toEqual([repository.key]);

        await store.putRecord({ ...record, processedFingerprint: 'fp2' });
        expect((await store.getRecord(repository.key))?.processedFingerprint).toBe('fp2');
      });

      it('keeps the poll cursor', async () => {
        const { store } = await setup();
        expect(await store.getPollCursor()).toBeUndefined();
        const cursor = { updatedAt: '2025-01-06T08:00:00.000Z', lastFullAt: '2025-01-06T09:00:00.000Z' };
        await store.setPollCursor(cursor);
        expect(await store.getPollCursor()).toEqual(cursor);
      });

      it('keeps failures per repository, lists them in one call and forgets them when emptied', async () => {
        const { store } = await setup();
        const a = alpha().repository;
        const b = beta().repository;
        expect(await store.listFailures()).toEqual(new Map());
        const failure = {
          code: 'jira.invalid',
          reason: 'Jira answered 400',
          since: '2025-01-06T08:00:00.000Z',
          at: '2025-01-06T08:00:00.000Z',
          attempts: 1,
          retryAt: '2025-01-06T08:05:00.000Z',
        };
        await store.putFailures(a.key, { repositoryArn: a.arn, providers: { jira: failure } });
        await store.putFailures(b.key, { repositoryArn: b.arn, providers: { slack: failure } });
        expect((await store.getFailures(a.key))?.providers.jira).toEqual(failure);
        expect([...(await store.listFailures()).keys()].sort()).toEqual([a.key, b.key].sort());
        await store.putFailures(a.key, { repositoryArn: a.arn, providers: {} });
        await store.putFailures(b.key, undefined);
        expect(await store.getFailures(a.key)).toBeUndefined();
        expect(await store.listFailures()).toEqual(new Map());
      });
    });

    describe('ticket index', () => {
      const entry: TicketIndexEntry = { key: 'SEC-3', url: 'https://jira/SEC-3', status: 'open' };

      it('is not indexed until an index was put, even an empty one', async () => {
        const { store } = await setup();
        expect(await store.lookupTicketIndex('hubwarden-r0123456789abcdef')).toEqual({
          indexed: false,
          entry: undefined,
        });
        await store.putTicketIndex(new Map());
        expect(await store.lookupTicketIndex('hubwarden-r0123456789abcdef')).toEqual({
          indexed: true,
          entry: undefined,
        });
      });

      it('answers entries and replaces the whole index on every put', async () => {
        const { store } = await setup();
        await store.putTicketIndex(new Map([['hubwarden-rA', entry]]));
        expect(await store.lookupTicketIndex('hubwarden-rA')).toEqual({ indexed: true, entry });
        await store.putTicketIndex(new Map([['hubwarden-rB', { ...entry, key: 'SEC-4', status: 'done' }]]));
        expect(await store.lookupTicketIndex('hubwarden-rA')).toEqual({ indexed: true, entry: undefined });
        expect((await store.lookupTicketIndex('hubwarden-rB')).entry).toMatchObject({
          key: 'SEC-4',
          status: 'done',
        });
      });
    });

    describe('suppressions', () => {
      it('stores, replaces by id, and lists', async () => {
        const { store } = await setup();
        expect(await store.getSuppression('s1')).toBeUndefined();
        expect(await store.listSuppressions()).toEqual([]);
        await store.putSuppression(suppressionWith('s1', 'pending'));
        await store.putSuppression(suppressionWith('s2', 'active'));
        await store.putSuppression({ ...suppressionWith('s1', 'active'), reviewedBy: 'U0SECLEAD' });
        expect(await store.getSuppression('s1')).toMatchObject({ status: 'active', reviewedBy: 'U0SECLEAD' });
        expect((await store.listSuppressions()).map((s) => s.id).sort()).toEqual(['s1', 's2']);
      });
    });

    describe('withLock', () => {
      it('runs two holders of the same lock one after the other', async () => {
        const { store } = await setup();
        const events: string[] = [];
        const release = deferred();
        const firstStarted = deferred();
        const first = store.withLock('repo:x', { ttlMs: 10_000, waitMs: 5_000 }, async () => {
          events.push('first:start');
          firstStarted.resolve();
          await release.promise;
          events.push('first:end');
          return 1;
        });
        await firstStarted.promise;
        const second = store.withLock('repo:x', { ttlMs: 10_000, waitMs: 5_000 }, async () => {
          events.push('second:start');
          events.push('second:end');
          return 2;
        });
        // long enough for the Redis adapter to poll the lock a few times
        await sleep(150);
        expect(events).toEqual(['first:start']);
        release.resolve();
        expect(await Promise.all([first, second])).toEqual([1, 2]);
        expect(events).toEqual(['first:start', 'first:end', 'second:start', 'second:end']);
      });

      it('throws a retryable state.lock_busy at once when waitMs is 0 and the lock is held', async () => {
        const { store } = await setup();
        const release = deferred();
        const started = deferred();
        const holder = store.withLock('repo:y', { ttlMs: 10_000, waitMs: 0 }, async () => {
          started.resolve();
          await release.promise;
        });
        await started.promise;
        let ran = false;
        const error = await store
          .withLock('repo:y', { ttlMs: 10_000, waitMs: 0 }, async () => {
            ran = true;
          })
          .catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(HubwardenError);
        expect(error).toMatchObject({ code: 'state.lock_busy', kind: 'retryable' });
        expect(ran).toBe(false);
        release.resolve();
        await holder;
      });

      it('does not hold different names against each other, and releases after a failure', async () => {
        const { store } = await setup();
        const release = deferred();
        const started = deferred();
        const holder = store.withLock('repo:a', { ttlMs: 10_000, waitMs: 0 }, async () => {
          started.resolve();
          await release.promise;
        });
        await started.promise;
        expect(await store.withLock('repo:b', { ttlMs: 10_000, waitMs: 0 }, async () => 'b')).toBe('b');
        release.resolve();
        await holder;

        await expect(
          store.withLock('repo:a', { ttlMs: 10_000, waitMs: 0 }, async () => {
            throw new Error('work failed');
          }),
        ).rejects.toThrow('work failed');
        expect(await store.withLock('repo:a', { ttlMs: 10_000, waitMs: 0 }, async () => 'again')).toBe(
          'again',
        );
      });

      it('lets a lock go once its TTL passed, and the late holder cannot free its successor', async () => {
        const harness = await setup();
        const { store } = harness;
        const releaseStale = deferred();
        const staleStarted = deferred();
        const stale = store.withLock('repo:z', { ttlMs: TTL_MS, waitMs: 0 }, async () => {
          staleStarted.resolve();
          await releaseStale.promise;
        });
        await staleStarted.promise;
        await harness.elapse(PAST_TTL_MS);
        const releaseSuccessor = deferred();
        const successorStarted = deferred();
        const successor = store.withLock('repo:z', { ttlMs: 10_000, waitMs: 0 }, async () => {
          successorStarted.resolve();
          await releaseSuccessor.promise;
        });
        await successorStarted.promise;
        releaseStale.resolve();
        await stale;
        await expect(
          store.withLock('repo:z', { ttlMs: 10_000, waitMs: 0 }, async () => 'third'),
        ).rejects.toMatchObject({
          code: 'state.lock_busy',
        });
        releaseSuccessor.resolve();
        await successor;
      });
    });

    describe('cached', () => {
      it('loads once within the TTL and again after it, across namespaces separately', async () => {
        const harness = await setup();
        const { store } = harness;
        let loads = 0;
        const load = async () => ({ owner: 'payments', loads: ++loads, gone: undefined });
        expect(await store.cached('tags', 'r1', TTL_MS, load)).toMatchObject({ loads: 1 });
        const hit = await store.cached('tags', 'r1', TTL_MS, load);
        expect(hit).toEqual({ owner: 'payments', loads: 1 });
        expect('gone' in hit).toBe(false);
        expect(await store.cached('risks', 'r1', TTL_MS, load)).toMatchObject({ loads: 2 });
        await harness.elapse(PAST_TTL_MS);
        expect(await store.cached('tags', 'r1', TTL_MS, load)).toMatchObject({ loads: 3 });
        expect(loads).toBe(3);
      });

      it('caches an undefined answer too (it reads back as null)', async () => {
        const { store } = await setup();
        let loads = 0;
        const load = async (): Promise<string | undefined> => {
          loads += 1;
          return undefined;
        };
        expect(await store.cached('email-owner', 'a@b.c', 10_000, load)).toBeUndefined();
        expect(await store.cached('email-owner', 'a@b.c', 10_000, load)).toBeNull();
        expect(loads).toBe(1);
      });
    });

    describe('claim', () => {
      it('is won once until its TTL passes', async () => {
        const harness = await setup();
        const { store } = harness;
        expect(await harness.store.claim('fix:r1', TTL_MS)).toBe(true);
        expect(await store.claim('fix:r1', TTL_MS)).toBe(false);
        expect(await store.claim('fix:r2', TTL_MS)).toBe(true);
        await harness.elapse(PAST_TTL_MS);
        expect(await store.claim('fix:r1', TTL_MS)).toBe(true);
      });

      it('can be given back before its TTL, and only the named claim is', async () => {
        const { store } = await setup();
        expect(await store.claim('post-card:r1', TTL_MS)).toBe(true);
        expect(await store.claim('post-card:r2', TTL_MS)).toBe(true);
        await store.releaseClaim('post-card:r1');
        await store.releaseClaim('post-card:never-claimed');
        expect(await store.claim('post-card:r1', TTL_MS)).toBe(true);
        expect(await store.claim('post-card:r2', TTL_MS)).toBe(false);
      });

      it('is won by exactly one of many concurrent claimants', async () => {
        const { store } = await setup();
        const results = await Promise.all(
          Array.from({ length: 10 }, () => store.claim('approve:s1', 10_000)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
      });
    });
  });
};
