import { describe, expect, it } from 'vitest';
import type { BudgetFactory } from '../../src/shared/token-bucket.js';

/**
 * What every budget (in-process or in Redis) must do. Redis keeps its own time (TIME), so no fake clock:
 * short real intervals, and counts of granted turns within a window with tolerant bounds instead of exact
 * timings.
 */
export interface BudgetHarness {
  /** budgets as one process sees them */
  readonly budgets: BudgetFactory;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Turns granted within `windowMs` to callers that keep asking and never wait past the window's end. */
export const grantedWithin = async (
  takers: ReadonlyArray<(maxWaitMs: number) => Promise<number>>,
  windowMs: number,
): Promise<number> => {
  const end = Date.now() + windowMs;
  let granted = 0;
  await Promise.all(
    takers.map(async (tryTake) => {
      for (;;) {
        const left = end - Date.now();
        if (left <= 0 || (await tryTake(left)) > 0) return;
        if (Date.now() <= end) granted += 1;
      }
    }),
  );
  return granted;
};

export const rateBudgetContract = (name: string, harness: () => Promise<BudgetHarness>): void => {
  describe(`rate budget contract: ${name}`, () => {
    it('lets the burst through at once, then grants turns at the rate', async () => {
      const { budgets } = await harness();
      const budget = budgets('contract:rate', { perSecond: 20, burst: 5 });
      const started = Date.now();
      for (let i = 0; i < 5; i += 1) await budget.take();
      expect(Date.now() - started).toBeLessThan(150);
      // 500 ms at 20/s after an empty bucket: about 10 more turns, never much more
      const granted = await grantedWithin([(ms) => budget.tryTake(ms)], 500);
      expect(granted).toBeLessThanOrEqual(11);
      expect(granted).toBeGreaterThanOrEqual(5);
    });

    it('keeps separate budgets apart', async () => {
      const { budgets } = await harness();
      const busy = budgets('contract:busy', { perSecond: 1, burst: 1 });
      const idle = budgets('contract:idle', { perSecond: 1, burst: 1 });
      await busy.take();
      expect(await busy.tryTake(0)).toBeGreaterThan(0);
      expect(await idle.tryTake(0)).toBe(0);
    });

    it('refuses a turn further away than maxWaitMs, answers the wait, and reserves nothing', async () => {
      const { budgets } = await harness();
      const budget = budgets('contract:refuse', { perSecond: 1, burst: 1 });
      await budget.take();
      const first = await budget.tryTake(100);
      expect(first).toBeGreaterThan(100);
      expect(first).toBeLessThanOrEqual(1_000);
      // had the refusal reserved a token, the next turn would be a second further away
      expect(await budget.tryTake(100)).toBeLessThanOrEqual(1_000);
    });

    it('holds every caller back for a pause (Retry-After)', async () => {
      const { budgets } = await harness();
      const budget = budgets('contract:pause', { perSecond: 100, burst: 10 });
      await budget.pauseFor(300);
      const started = Date.now();
      await budget.take();
      expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    });

    it('holds back a caller already asleep on its reservation when a pause arrives', async () => {
      const { budgets } = await harness();
      const budget = budgets('contract:asleep', { perSecond: 5, burst: 1 });
      await budget.take();
      const started = Date.now();
      const second = budget.take().then(() => Date.now() - started);
      await sleep(50);
      await budget.pauseFor(400);
      expect(await second).toBeGreaterThanOrEqual(420);
    });
  });
};
