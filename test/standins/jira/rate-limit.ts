/** Jira Cloud's rate limit as a token bucket: `perSecond` sustained, `burst` at once. */
export interface JiraRateLimit {
  readonly perSecond: number;
  readonly burst: number;
}

/**
 * One bucket for every request the credentials make, as Jira Cloud counts them. A refused request is
 * answered 429 with `Retry-After` in whole seconds (at least 1), the time until a token is back.
 */
export class JiraRateLimiter {
  private tokens = 0;
  private at = 0;
  private started = false;

  constructor(
    public limit: JiraRateLimit | false,
    private readonly now: () => number,
  ) {}

  /** seconds to wait, or 0 when the request may go through */
  take(): number {
    if (!this.limit) return 0;
    const { perSecond, burst } = this.limit;
    const now = this.now();
    if (!this.started) {
      this.started = true;
      this.tokens = burst;
      this.at = now;
    }
    this.tokens = Math.min(burst, this.tokens + ((now - this.at) / 1000) * perSecond);
    this.at = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / perSecond));
  }

  /** a new limit starts with a full bucket */
  set(limit: JiraRateLimit | false): void {
    this.limit = limit;
    this.started = false;
  }
}
