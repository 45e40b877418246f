import { beforeEach, describe, expect, it } from 'vitest';
import { HubwardenError } from '../../src/core/errors.js';
import type { RepositoryCard } from '../../src/core/ports/chat.js';
import { repositoryKeyOf } from '../../src/core/repository-ref.js';
import { reconcileRepository } from '../../src/core/use-cases/reconcile-repository.js';
import { ecr2Finding, repositoryArn } from '../fixtures/ecr2-findings.js';
import { harness, ingest, type Harness } from './pipeline-harness.js';

const A = { accountId: '111111111111', region: 'eu-west-1', repositoryName: 'team/payments-api' } as const;
const arn = repositoryArn(A.accountId, A.region, A.repositoryName);
const key = repositoryKeyOf(arn);

/** What Jira Cloud answers when the create screen requires a field hubwarden does not set. */
const jiraRefusal = () =>
  new HubwardenError(
    'Jira answered 400 to POST /rest/api/3/issue: customfield_10010: Team is required.\nsecond line',
    { kind: 'permanent', code: 'jira.invalid', service: 'jira', status: 400 },
  );

const slackRefusal = () =>
  new HubwardenError('Slack chat.postMessage failed: not_in_channel', {
    kind: 'permanent',
    code: 'slack.not_in_channel',
    service: 'slack',
  });

const cardOf = (h: Harness): RepositoryCard => {
  const card = [...h.chat.messages.values()].at(-1);
  if (!card || typeof card === 'string' || !('phase' in card)) throw new Error('no repository card');
  return card;
};

const notesOf = (h: Harness) => h.source.updates.map((update) => `${update.workflow}: ${update.note}`);

describe('one provider refusing does not stop the others', () => {
  let h: Harness;

  beforeEach(async () => {
    h = harness();
    h.registry.set(arn, { tags: { Owner: 'payments' }, images: [] });
    await ingest(h, [
      ecr2Finding({ ...A, uuid: 'f-1' }),
      ecr2Finding({ ...A, uuid: 'f-2', standard: 'pci-dss' }),
    ]);
  });

  it('posts the message and notifies the findings when Jira refuses the ticket, both saying why', async () => {
    h.tracker.failNext('create', jiraRefusal());
    const result = await reconcileRepository(h.deps, key);
    expect(result).toMatchObject({ ticket: 'failed', message: 'posted', findingsUpdated: 2 });
    expect(h.tracker.tickets.size).toBe(0);

    const card = cardOf(h);
    expect(card.ticket).toBeUndefined();
    expect(card.ticketProblem).toBe(
      'The Jira ticket could not be created: Jira answered 400 to POST /rest/api/3/issue: customfield_10010: Team is required. hubwarden will try again.',
    );
    expect(card.actions).toEqual(['fix', 'suppress']);
    expect(notesOf(h)).toEqual([
      'NOTIFIED: hubwarden: tracked. Slack C0PAYMENTS/1700000000.000001. Ticket failed: Jira answered 400 to POST /rest/api/3/issue: customfield_10010: Team is required. Owner payments (tag Owner=payments).',
    ]);
    const failures = await h.state.getFailures(key);
    expect(failures).toEqual({
      repositoryArn: arn,
      providers: {
        jira: {
          code: 'jira.invalid',
          reason: 'Jira answered 400 to POST /rest/api/3/issue: customfield_10010: Team is required.',
          since: '2025-01-10T12:00:00.000Z',
          at: '2025-01-10T12:00:00.000Z',
          attempts: 1,
          retryAt: '2025-01-10T12:05:00.000Z',
        },
      },
    });
    expect(result.failures).toEqual(failures);
  });

  it('once Jira accepts, creates the ticket, names it in the card and the notes, and forgets the failure', async () => {
    h.tracker.failNext('create', jiraRefusal());
    await reconcileRepository(h.deps, key);
    h.time.advance(5 * 60_000);
    const result = await reconcileRepository(h.deps, key);
    expect(result).toMatchObject({ ticket: 'created', ticketKey: 'SEC-1', message: 'updated' });
    expect(cardOf(h).ticketProblem).toBeUndefined();
    expect(cardOf(h).ticket?.key).toBe('SEC-1');
    expect(notesOf(h).at(-1)).toBe(
      'NOTIFIED: hubwarden: tracked. Jira SEC-1. Slack C0PAYMENTS/1700000000.000001. Owner payments (tag Owner=payments).',
    );
    expect(h.source.updatedIds()).toHaveLength(4);
    expect(await h.state.getFailures(key)).toBeUndefined();
    expect(result.failures).toBeUndefined();

    // and a rerun changes nothing more
    const writes = h.outsideWrites().length;
    await reconcileRepository(h.deps, key);
    expect(h.outsideWrites()).toHaveLength(writes);
  });

  it('backs off from one poll interval, doubling up to the cap, while Jira keeps refusing', async () => {
    const delays: number[] = [];
    for (let attempt = 0; attempt < 4; attempt += 1) {
      h.tracker.failNext('create', jiraRefusal());
      await reconcileRepository(h.deps, key);
      const failure = (await h.state.getFailures(key))?.providers.jira;
      delays.push((Date.parse(failure?.retryAt ?? '') - Date.parse(failure?.at ?? '')) / 60_000);
      expect(failure?.attempts).toBe(attempt + 1);
      expect(failure?.since).toBe('2025-01-10T12:00:00.000Z');
      h.time.advance(20 * 60_000);
    }
    expect(delays).toEqual([5, 10, 15, 15]);
  });

  it('still opens the ticket and notes it when Slack refuses the message', async () => {
    h.chat.postRepositoryCard = async () => {
      throw slackRefusal();
    };
    const result = await reconcileRepository(h.deps, key);
    expect(result).toMatchObject({
      ticket: 'created',
      ticketKey: 'SEC-1',
      message: 'failed',
      findingsUpdated: 2,
    });
    expect(notesOf(h)).toEqual([
      'NOTIFIED: hubwarden: tracked. Jira SEC-1. Owner payments (tag Owner=payments).',
    ]);
    expect(Object.keys((await h.state.getFailures(key))?.providers ?? {})).toEqual(['slack']);
    expect((await h.state.getFailures(key))?.providers.slack?.reason).toBe(
      'Slack chat.postMessage failed: not_in_channel',
    );
  });

  it('records an account that denies access, then fails the run', async () => {
    h.registry.tags = async () => {
      throw new HubwardenError('AccessDeniedException: not authorized to perform ecr:ListTagsForResource', {
        kind: 'permanent',
        code: 'ecr.access_denied',
        service: 'ecr',
      });
    };
    await expect(reconcileRepository(h.deps, key)).rejects.toMatchObject({ code: 'ecr.access_denied' });
    expect((await h.state.getFailures(key))?.providers.ecr).toMatchObject({
      code: 'ecr.access_denied',
      attempts: 1,
      retryAt: '2025-01-10T12:05:00.000Z',
    });
    expect(h.outsideWrites()).toEqual([]);
  });

  it('records a last attempt that could not even start (its lock never freed), so it is tried again', async () => {
    h.state.withLock = async () => {
      throw new HubwardenError('lock repo is busy', {
        kind: 'retryable',
        code: 'state.lock_busy',
        service: 'redis',
      });
    };
    await expect(reconcileRepository(h.deps, key)).rejects.toMatchObject({ code: 'state.lock_busy' });
    expect(await h.state.getFailures(key)).toBeUndefined();
    await expect(reconcileRepository(h.deps, key, { finalAttempt: true })).rejects.toMatchObject({
      code: 'state.lock_busy',
    });
    expect((await h.state.getFailures(key))?.providers.redis).toMatchObject({
      code: 'state.lock_busy',
      attempts: 1,
      retryAt: '2025-01-10T12:05:00.000Z',
    });
  });

  it('forgets the failures of a repository it knows nothing more about', async () => {
    const gone = 'r0123456789abcdef';
    await h.state.putFailures(gone, {
      repositoryArn: 'arn:aws:ecr:eu-west-1:111111111111:repository/gone',
      providers: {
        ecr: { code: 'ecr.access_denied', reason: 'denied', since: 'x', at: 'x', attempts: 1, retryAt: 'x' },
      },
    });
    await reconcileRepository(h.deps, gone);
    expect(await h.state.listFailures()).toEqual(new Map());
  });

  it('treats a transient failure as a refusal only on the last attempt', async () => {
    const outage = () =>
      new HubwardenError('Jira answered 503', {
        kind: 'retryable',
        code: 'jira.unavailable',
        service: 'jira',
      });
    h.tracker.failNext('create', outage());
    await expect(reconcileRepository(h.deps, key)).rejects.toMatchObject({ code: 'jira.unavailable' });
    expect(await h.state.getFailures(key)).toBeUndefined();
    expect(h.chat.writes()).toEqual([]);

    h.tracker.failNext('create', outage());
    const result = await reconcileRepository(h.deps, key, { finalAttempt: true });
    expect(result).toMatchObject({ ticket: 'failed', message: 'posted' });
    expect((await h.state.getFailures(key))?.providers.jira?.code).toBe('jira.unavailable');
  });
});
