import { describe, expect, it } from 'vitest';
import { docToPlainText } from '../../src/core/document.js';
import { HubwardenError } from '../../src/core/errors.js';
import { applyFix } from '../../src/core/use-cases/apply-fix.js';
import { arnA, chatScenario, keyA, USERS, type ChatScenario } from './chat-scenario.js';

const fixA = (s: ChatScenario, finalAttempt: boolean, actor: string = USERS.owner) =>
  applyFix(s.h.deps, { repositoryKey: keyA, actor, finalAttempt });

const commentsOnA = (s: ChatScenario) =>
  (s.h.tracker.tickets.get('SEC-1')?.comments ?? []).map((comment) => docToPlainText(comment));

const registryCalls = (s: ChatScenario) =>
  s.h.registry.calls.filter((call) => call.method !== 'images' && call.method !== 'tags');

const failWith = (s: ChatScenario, error: Error) => {
  s.h.registry.applyFix = async () => {
    throw error;
  };
};

const ecrError = (kind: 'retryable' | 'rate-limited' | 'permanent', code: string) =>
  new HubwardenError(`ECR said ${code}`, {
    kind,
    code,
    service: 'ecr',
    ...(kind === 'rate-limited' ? { retryAfterMs: 1000 } : {}),
  });

describe('applyFix', () => {
  it('makes the tags immutable, reads them back, resolves findings, closes the ticket once and shows who fixed it', async () => {
    const s = await chatScenario();
    s.h.time.set('2025-01-10T12:05:00.000Z');
    const result = await fixA(s, false);

    expect(result).toMatchObject({ fix: 'succeeded', failing: false, ticket: 'closed', ticketKey: 'SEC-1' });
    expect(result.secondsSinceFirstFailure).toBe(
      (Date.parse('2025-01-10T12:05:00.000Z') - Date.parse('2024-03-04T09:15:27.412Z')) / 1000,
    );
    expect(registryCalls(s)).toEqual([
      { method: 'applyFix', arn: arnA },
      { method: 'readSetting', arn: arnA },
    ]);

    const resolved = s.h.source.updates.filter((update) => update.workflow === 'RESOLVED');
    expect(resolved).toHaveLength(1);
    expect(resolved[0]?.findings).toHaveLength(2);
    expect(resolved[0]?.note).toMatch(/verified by U0ALICE at 2025-01-10T12:05:00.000Z/);
    expect(resolved[0]?.note).toContain('SEC-1');
    expect((await s.h.state.findingsOf(keyA)).map((finding) => finding.workflow)).toEqual([
      'RESOLVED',
      'RESOLVED',
    ]);

    const ticket = s.h.tracker.tickets.get('SEC-1');
    expect(ticket?.status).toBe('done');
    expect(commentsOnA(s).filter((text) => text.includes('Fixed through hubwarden'))).toEqual([
      'Fixed through hubwarden by U0ALICE at 2025-01-10T12:05:00.000Z: image tags are now IMMUTABLE (verified by reading the repository back).',
    ]);
    expect(s.h.tracker.writes().filter((call) => call.method === 'transition')).toEqual([
      { method: 'transition', key: 'SEC-1', name: 'Done' },
    ]);
    expect(await s.card()).toMatchObject({ phase: 'fixed', actor: USERS.owner, actions: [] });
    expect((await s.h.state.getRecord(keyA))?.fix).toMatchObject({ status: 'succeeded', by: USERS.owner });
  });

  it('shows "fixing" on the card while the fix runs', async () => {
    const s = await chatScenario();
    const phases: string[] = [];
    const make = s.h.registry.applyFix.bind(s.h.registry);
    s.h.registry.applyFix = async (controlId, repository) => {
      phases.push((await s.card()).phase);
      await make(controlId, repository);
    };
    await fixA(s, false);
    expect(phases).toEqual(['fixing']);
  });

  it('a rerun after success changes nothing: not needed, no second comment', async () => {
    const s = await chatScenario();
    await fixA(s, false);
    const writes = s.h.outsideWrites().length;
    const again = await fixA(s, false);
    expect(again).toMatchObject({ fix: 'not-needed', ticket: 'unchanged', message: 'unchanged' });
    expect(s.h.outsideWrites()).toHaveLength(writes);
    expect(registryCalls(s).filter((call) => call.method === 'applyFix')).toHaveLength(1);
  });

  it('answers not-needed for a repository that already passes, touching nothing in ECR', async () => {
    const s = await chatScenario();
    await s.ingestA(2, { compliance: 'PASSED', workflow: 'RESOLVED', updatedAt: '2025-01-09T00:00:00.000Z' });
    const result = await fixA(s, true);
    expect(result.fix).toBe('not-needed');
    expect(registryCalls(s)).toEqual([]);
    expect(s.h.source.updates.filter((update) => update.workflow === 'RESOLVED')).toEqual([]);
  });

  describe('when the read-back does not say IMMUTABLE', () => {
    const stuckMutable = (s: ChatScenario) => {
      s.h.registry.applyFix = async (_controlId, repository) => {
        s.h.registry.calls.push({ method: 'applyFix', arn: repository.arn });
      };
    };

    it('reports the fix as failed on the final attempt: ticket comment, card fix-failed, never success', async () => {
      const s = await chatScenario();
      stuckMutable(s);
      const result = await fixA(s, true);
      expect(result).toMatchObject({ fix: 'failed', failing: true });
      expect(commentsOnA(s).filter((text) => text.startsWith('The fix through hubwarden failed'))).toEqual([
        'The fix through hubwarden failed: read-back says MUTABLE, not IMMUTABLE',
      ]);
      expect(commentsOnA(s).some((text) => text.includes('Fixed through hubwarden'))).toBe(false);
      expect(s.h.tracker.tickets.get('SEC-1')?.status).toBe('open');
      expect(await s.card()).toMatchObject({
        phase: 'fix-failed',
        actor: USERS.owner,
        reason: 'read-back says MUTABLE, not IMMUTABLE',
        actions: ['fix', 'suppress'],
      });
      expect(s.h.source.updates.filter((update) => update.workflow === 'RESOLVED')).toEqual([]);
      expect((await s.h.state.getRecord(keyA))?.fix?.status).toBe('failed');
    });

    it('treats a repository gone at read-back as failed too', async () => {
      const s = await chatScenario();
      s.h.registry.readSetting = async () => undefined;
      const result = await fixA(s, true);
      expect(result.fix).toBe('failed');
      expect((await s.card()).reason).toBe('read-back says repository not found, not IMMUTABLE');
    });

    it('throws on an earlier attempt so the job retries, recording no failure and no success', async () => {
      const s = await chatScenario();
      stuckMutable(s);
      await expect(fixA(s, false)).rejects.toThrow(/read-back says MUTABLE/);
      expect((await s.h.state.getRecord(keyA))?.fix?.status).toBe('queued');
      expect(await s.card()).toMatchObject({ phase: 'fixing' });
      expect(commentsOnA(s).some((text) => /fix through hubwarden|Fixed through/.test(text))).toBe(false);
    });
  });

  it('fails at once with the reason on a permanent error, even on a first attempt', async () => {
    const s = await chatScenario();
    failWith(s, ecrError('permanent', 'ecr.access_denied'));
    const result = await fixA(s, false);
    expect(result).toMatchObject({ fix: 'failed' });
    expect(commentsOnA(s)).toContain('The fix through hubwarden failed: ECR said ecr.access_denied');
    expect(await s.card()).toMatchObject({ phase: 'fix-failed', reason: 'ECR said ecr.access_denied' });
    expect(registryCalls(s).filter((call) => call.method === 'readSetting')).toEqual([]);
  });

  it('rethrows a retryable error before the final attempt, recording nothing as failed', async () => {
    const s = await chatScenario();
    const error = ecrError('retryable', 'ecr.server_error');
    failWith(s, error);
    await expect(fixA(s, false)).rejects.toBe(error);
    expect((await s.h.state.getRecord(keyA))?.fix?.status).toBe('queued');
    expect(commentsOnA(s).some((text) => text.startsWith('The fix through hubwarden failed'))).toBe(false);
  });

  it('records a retryable error on the final attempt as failed', async () => {
    const s = await chatScenario();
    failWith(s, ecrError('retryable', 'ecr.server_error'));
    await expect(fixA(s, false)).rejects.toThrow();
    const result = await fixA(s, true);
    expect(result.fix).toBe('failed');
    expect(await s.card()).toMatchObject({ phase: 'fix-failed', reason: 'ECR said ecr.server_error' });
  });

  it.each([false, true])(
    'always rethrows a rate-limited error (final attempt %s): the queue slows down',
    async (finalAttempt) => {
      const s = await chatScenario();
      const error = ecrError('rate-limited', 'ecr.throttled');
      failWith(s, error);
      await expect(fixA(s, finalAttempt)).rejects.toBe(error);
      expect((await s.h.state.getRecord(keyA))?.fix?.status).toBe('queued');
    },
  );

  it('a later success after a failure closes the ticket and clears the failure', async () => {
    const s = await chatScenario();
    const make = s.h.registry.applyFix.bind(s.h.registry);
    failWith(s, ecrError('permanent', 'ecr.access_denied'));
    await fixA(s, true);
    s.h.registry.applyFix = make;
    s.h.time.advance(60_000);
    const result = await fixA(s, true, USERS.reviewer);
    expect(result.fix).toBe('succeeded');
    expect(await s.card()).toMatchObject({ phase: 'fixed', actor: USERS.reviewer, reason: undefined });
    expect(s.h.tracker.tickets.get('SEC-1')?.status).toBe('done');
  });

  it('drives the whole flow from the Fix button through the queue', async () => {
    const s = await chatScenario({ inline: true });
    expect(await s.interactions.fix(await s.context(USERS.owner))).toMatchObject({ ok: true });
    expect(s.queue.results).toEqual([expect.objectContaining({ fix: 'succeeded' })]);
    expect(await s.card()).toMatchObject({ phase: 'fixed', actor: USERS.owner });
    expect(await s.interactions.fix(await s.context(USERS.owner))).toEqual({
      ok: false,
      reason: 'This repository already passes ECR.2: nothing to fix.',
    });
  });
});
