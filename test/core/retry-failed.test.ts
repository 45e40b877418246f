import { beforeEach, describe, expect, it } from 'vitest';
import { HubwardenError } from '../../src/core/errors.js';
import { repositoryKeyOf } from '../../src/core/repository-ref.js';
import { pollFindings, type PollOptions } from '../../src/core/use-cases/poll-findings.js';
import { reconcileRepository } from '../../src/core/use-cases/reconcile-repository.js';
import { ecr2Finding, repositoryArn } from '../fixtures/ecr2-findings.js';
import { harness, type Harness } from './pipeline-harness.js';

const A = { accountId: '111111111111', region: 'eu-west-1', repositoryName: 'alpha' } as const;
const key = repositoryKeyOf(repositoryArn(A.accountId, A.region, A.repositoryName));
const INCREMENTAL: PollOptions = { mode: 'incremental', overlapMs: 5 * 60_000, fullEveryMs: 24 * 3_600_000 };
const MINUTE = 60_000;

const refusal = () =>
  new HubwardenError('Jira answered 400 to POST /rest/api/3/issue: Team is required.', {
    kind: 'permanent',
    code: 'jira.invalid',
    service: 'jira',
  });

describe('a repository whose work failed for good', () => {
  let h: Harness;
  let firstGeneration: string | undefined;
  const poll = (options: Partial<PollOptions> = {}) =>
    pollFindings(h.deps, { ...INCREMENTAL, ...options }, async () => undefined);

  beforeEach(async () => {
    h = harness();
    h.registry.set(repositoryArn(A.accountId, A.region, A.repositoryName), { tags: { Owner: 'payments' } });
    h.source.put(ecr2Finding({ ...A, uuid: 'a1', updatedAt: '2025-01-10T11:00:00.000Z' }));
    const first = await poll({ mode: 'full' });
    expect(first.due.map((due) => due.repositoryKey)).toEqual([key]);
    firstGeneration = first.due[0]?.generation;
    h.tracker.failNext('create', refusal());
    await reconcileRepository(h.deps, key);
  });

  it('is enqueued again, findings unchanged, once one poll interval has passed, as new work', async () => {
    h.time.advance(4 * MINUTE);
    expect((await poll()).due).toEqual([]);
    h.time.advance(1 * MINUTE);
    const retry = await poll();
    expect(retry.due.map((due) => due.repositoryKey)).toEqual([key]);
    // a second poll before the retry ran names the same work (one job), unlike the run that failed
    h.time.advance(MINUTE);
    expect((await poll()).due).toEqual(retry.due);
    expect(retry.due[0]?.generation).not.toBe(firstGeneration);

    // the retry fails again: the next one waits twice as long, and is again new work
    h.tracker.failNext('create', refusal());
    await reconcileRepository(h.deps, key);
    h.time.advance(9 * MINUTE);
    expect((await poll()).due).toEqual([]);
    h.time.advance(1 * MINUTE);
    const second = await poll();
    expect(second.due.map((due) => due.repositoryKey)).toEqual([key]);
    expect(second.due[0]?.generation).not.toBe(retry.due[0]?.generation);
  });

  it('is enqueued at once when asked to retry every failure (sync --once)', async () => {
    h.time.advance(MINUTE);
    expect((await poll({ retryFailed: 'all' })).due.map((due) => due.repositoryKey)).toEqual([key]);
  });

  it('is left alone once its work succeeded', async () => {
    h.time.advance(5 * MINUTE);
    await reconcileRepository(h.deps, key);
    expect(h.tracker.tickets.size).toBe(1);
    h.time.advance(60 * MINUTE);
    expect((await poll({ retryFailed: 'all' })).due).toEqual([]);
  });
});
