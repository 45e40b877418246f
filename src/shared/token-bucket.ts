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
 * Client-side token bucket that waits instead of failing. Callers reserve a token first (the balance may go
 * negative), so concurrent callers queue up in order without polling.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly clock: Clock = systemClock,
  ) {
    this.tokens = limit.burst;
    this.updatedAt = clock.now();
  }

  async take(): Promise<void> {
    const now = this.clock.now();
    this.tokens = Math.min(
      this.limit.burst,
      this.tokens + ((now - this.updatedAt) / 1000) * this.limit.perSecond,
    );
    this.updatedAt = now;
    this.tokens -= 1;
    if (this.tokens >= 0) return;
    // rounded up so that the provider's own bucket, refilling at the same rate, has the token by then
    await this.clock.sleep(Math.ceil((-this.tokens / this.limit.perSecond) * 1000));
  }

  /** Empties the bucket for `ms` after the provider throttled us anyway (e.g. another client shares the quota). */
  backOff(ms: number): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.tokens, -(ms / 1000) * this.limit.perSecond);
    this.updatedAt = now;
  }
}
