import type { BudgetFactory, RateBudget, RateLimit } from '../../shared/token-bucket.js';

/**
 * A budget named for an AWS account and region, where the account is learnt on first use (STS
 * GetCallerIdentity of the base credentials: the Security Hub aggregator's account). Quotas are per account
 * and region, so two deployments of one account share them, and one deployment moved to another account
 * does not inherit the old budget. While the account cannot be learnt, the budget is named for the
 * region alone, and the next call tries again.
 */
export const accountScopedBudget = (
  budgets: BudgetFactory,
  operation: string,
  region: string,
  limit: RateLimit,
  accountId: () => Promise<string>,
): RateBudget => {
  let named: RateBudget | undefined;
  const budget = async (): Promise<RateBudget> => {
    if (named) return named;
    try {
      named = budgets(`${operation}:${await accountId()}:${region}`, limit);
      return named;
    } catch {
      return budgets(`${operation}:${region}`, limit);
    }
  };
  return {
    take: async () => (await budget()).take(),
    tryTake: async (maxWaitMs) => (await budget()).tryTake(maxWaitMs),
    pauseFor: async (ms) => (await budget()).pauseFor(ms),
  };
};

/** Runs `load` once; a failure is forgotten, so the next call tries again. */
export const memoized = <T>(load: () => Promise<T>): (() => Promise<T>) => {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= load().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
};
