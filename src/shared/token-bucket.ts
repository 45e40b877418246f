/** Time as the limiter sees it; tests pass a fake one whose `sleep` just moves `now`. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface RateLimit {
  readonly perSecond: number;
  readonly burst: number;
}

/**
 * A provider's request budget: a token bucket that waits instead of failing. Held in this process
 * (`TokenBucket`) or in Redis and shared by every process of a deployment (`redisBudgets`).
 */
export interface RateBudget {
  /** Reserves one request and waits for its turn (and for any pause the provider asked for). */
  take(): Promise<void>;
  /**
   * Like `take`, unless the turn is further away than `maxWaitMs`: then nothing is reserved and the answer
   * is that wait in ms, so the caller can fail fast. Answers 0 once the reserved turn has come.
   */
  tryTake(maxWaitMs: number): Promise<number>;
  /** The provider answered 429 with Retry-After: no caller of this budget sends before `ms` are over. */
  pauseFor(ms: number): Promise<void>;
}

/** Hands out the budget called `name` (e.g. `jira:<site>`); the same name answers the same budget. */
export type BudgetFactory = (name: string, limit: RateLimit) => RateBudget;

/**
 * Client-side token bucket held in this process. Callers reserve a token first (the balance may go
 * negative), so concurrent callers queue up in order without polling.
 */
export class TokenBucket implements RateBudget {
  private tokens: number;
  private updatedAt: number;
  // Retry-After holds for every caller, including those already asleep on an earlier reservation.
  private pausedUntil = 0;

  constructor(
    private readonly limit: RateLimit,
    private readonly clock: Clock = systemClock,
  ) {
    this.tokens = limit.burst;
    this.updatedAt = clock.now();
  }

  async take(): Promise<void> {
    await this.tryTake(Number.POSITIVE_INFINITY);
  }

  async tryTake(maxWaitMs: number): Promise<number> {
    this.refill();
    const now = this.clock.now();
    // rounded up so that the provider's own bucket, refilling at the same rate, has the token by then
    const forToken = this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.limit.perSecond) * 1000);
    const waitMs = Math.max(forToken, this.pausedUntil - now);
    if (waitMs > maxWaitMs) return waitMs;
    this.tokens -= 1;
    if (waitMs > 0) await this.clock.sleep(waitMs);
    for (let wait = this.pausedUntil - this.clock.now(); wait > 0; wait = this.pausedUntil - this.clock.now())
      await this.clock.sleep(wait);
    return 0;
  }

  async pauseFor(ms: number): Promise<void> {
    this.backOff(ms);
  }

  /** Empties the bucket for `ms` after the provider throttled us anyway (e.g. another client shares the quota). */
  backOff(ms: number): void {
    this.refill();
    this.tokens = Math.min(this.tokens, -(ms / 1000) * this.limit.perSecond);
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + ms);
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(
      this.limit.burst,
      this.tokens + (Math.max(0, now - this.updatedAt) / 1000) * this.limit.perSecond,
    );
    this.updatedAt = Math.max(this.updatedAt, now);
  }
}

/** Budgets held in this process, one per name: for tests, benches and tools that run without Redis. */
export const inMemoryBudgets = (clock: Clock = systemClock): BudgetFactory => {
  const budgets = new Map<string, TokenBucket>();
  return (name, limit) => {
    const budget = budgets.get(name) ?? new TokenBucket(limit, clock);
    budgets.set(name, budget);
    return budget;
  };
};
