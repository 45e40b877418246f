import { describe, expect, it } from 'vitest';
import { HubwardenError } from '../../src/core/errors.js';
import { applyFix } from '../../src/core/use-cases/apply-fix.js';
import { chatScenario, keyA, USERS, type ChatScenario } from './chat-scenario.js';

const HOUR = 3_600_000;

const refusal = (service: 'ecr' | 'jira', code: string) =>
  new HubwardenError(`${service} refused: ${code}`, { kind: 'permanent', code, service });

const fixA = (s: ChatScenario, finalAttempt = false) =>
  applyFix(s.h.deps, { repositoryKey: keyA, actor: USERS.owner, finalAttempt });

const clickFix = async (s: ChatScenario) => s.interactions.fix(await s.context(USERS.owner));

const fixesQueued = (s: ChatScenario) => s.queue.calls.filter((call) => call.kind === 'fix').length;

describe('a fix that failed never leaves the repository "fixing"', () => {
  it('gives the card its buttons back with the reason even when Jira refuses the failure comment', async () => {
    const s = await chatScenario();
    s.h.registry.applyFix = async () => {
      throw refusal('ecr', 'ecr.access_denied');
    };
    s.h.tracker.failNext('comment', refusal('jira', 'jira.forbidden'));
    const result = await fixA(s);
    expect(result.fix).toBe('failed');
    expect(await s.card()).toMatchObject({
      phase: 'fix-failed',
      reason: 'ecr refused: ecr.access_denied',
      actions: ['fix', 'suppress'],
    });
    expect(await clickFix(s)).toMatchObject({ ok: true, notice: expect.stringContaining('Making the tags') });
    expect(fixesQueued(s)).toBe(1);
  });

  it('records the failure, so a new click tries again, when the card cannot even show "fixing"', async () => {
    const s = await chatScenario();
    s.h.time.advance(2 * HOUR); // the tags read an hour ago are no longer cached
    s.h.registry.tags = async () => {
      throw refusal('ecr', 'ecr.access_denied');
    };
    const result = await fixA(s);
    expect(result.fix).toBe('failed');
    expect((await s.h.state.getRecord(keyA))?.fix).toMatchObject({
      status: 'failed',
      reason: 'ecr refused: ecr.access_denied',
    });
    expect(s.h.registry.calls.some((call) => call.method === 'applyFix')).toBe(false);
    expect(await clickFix(s)).toMatchObject({ ok: true, notice: expect.stringContaining('Making the tags') });
  });

  it('lets a new click try again once a fix has been "under way" for too long (its job was lost)', async () => {
    const s = await chatScenario();
    const record = await s.h.state.getRecord(keyA);
    if (!record) throw new Error('no record');
    await s.h.state.putRecord({
      ...record,
      fix: { status: 'queued', by: USERS.owner, at: s.h.time.clock().toISOString(), reason: undefined },
    });
    s.h.time.advance(60_000);
    expect(await clickFix(s)).toEqual({
      ok: true,
      notice: 'A fix for this repository is already under way.',
    });
    s.h.time.advance(15 * 60_000);
    expect(await clickFix(s)).toMatchObject({ ok: true, notice: expect.stringContaining('Making the tags') });
    expect(fixesQueued(s)).toBe(1);
  });

  it('lets the next click try again when queueing the fix failed', async () => {
    const s = await chatScenario();
    const enqueue = s.queue.enqueueFix.bind(s.queue);
    s.queue.enqueueFix = async () => {
      throw new Error('Redis is unreachable');
    };
    await expect(clickFix(s)).rejects.toThrow('Redis is unreachable');
    s.queue.enqueueFix = enqueue;
    expect(await clickFix(s)).toMatchObject({ ok: true, notice: expect.stringContaining('Making the tags') });
    expect(fixesQueued(s)).toBe(1);
  });
});
