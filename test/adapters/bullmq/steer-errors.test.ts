import { DelayedError, RateLimitError, UnrecoverableError, type Job, type Queue } from 'bullmq';
import { describe, expect, it, vi } from 'vitest';
import { HubwardenError, type ErrorKind, type Service } from '../../../src/core/errors.js';
import { steered } from '../../../src/adapters/bullmq/steer-errors.js';

const failing = (service: Service, kind: ErrorKind, retryAfterMs?: number) => () =>
  Promise.reject(
    new HubwardenError('no', {
      kind,
      service,
      code: `${service}.x`,
      ...(retryAfterMs ? { retryAfterMs } : {}),
    }),
  );

const setup = () => {
  const queue = { rateLimit: vi.fn(async () => undefined) };
  const job = { moveToDelayed: vi.fn(async () => undefined) };
  return {
    queue,
    job,
    run: (process: () => Promise<unknown>) =>
      steered(queue as unknown as Queue, process)(job as unknown as Job, 'token-1'),
  };
};

describe('steered', () => {
  it('pauses the whole queue for a client-wide limit (Jira, AWS), using no attempt', async () => {
    const { queue, job, run } = setup();
    await expect(run(failing('jira', 'rate-limited', 7_000))).rejects.toBeInstanceOf(RateLimitError);
    expect(queue.rateLimit).toHaveBeenCalledWith(7_000);
    expect(job.moveToDelayed).not.toHaveBeenCalled();
  });

  it('delays only the job for Slack, whose limit is per channel', async () => {
    const { queue, job, run } = setup();
    const before = Date.now();
    await expect(run(failing('slack', 'rate-limited', 3_000))).rejects.toBeInstanceOf(DelayedError);
    expect(queue.rateLimit).not.toHaveBeenCalled();
    const [until, token] = job.moveToDelayed.mock.calls[0] as unknown as [number, string];
    expect(until).toBeGreaterThanOrEqual(before + 3_000);
    expect(token).toBe('token-1');
  });

  it('fails a permanent error at once with its code, and lets anything else retry', async () => {
    const { run } = setup();
    await expect(run(failing('ecr', 'permanent'))).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(run(failing('ecr', 'permanent'))).rejects.toThrow('ecr.x');
    const transient = run(failing('jira', 'retryable'));
    await expect(transient).rejects.toBeInstanceOf(HubwardenError);
    await expect(run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });
});
