import { HubwardenError } from '../../core/errors.js';
import { systemClock, type Clock } from '../../shared/token-bucket.js';
import type { Chat, MessageRef, RepositoryCard, SuppressionReviewCard } from '../../core/ports/chat.js';

/** Slack's `chat.postMessage` limit: about one message a second per channel, short bursts allowed. */
export interface ChannelRateLimit {
  readonly perSecond: number;
  readonly burst: number;
  /** longest a caller waits for its channel; beyond it the call fails `rate-limited` at once */
  readonly maxWaitMs: number;
}

const SLACK_CHANNEL_RATE: ChannelRateLimit = { perSecond: 1, burst: 3, maxWaitMs: 5_000 };

/** Time as the limiter sees it (the shared clock; tests pass a fake one). */
export type LimiterClock = Clock;

/**
 * The Chat port with a token bucket per channel in front of every new message, so one busy owner channel
 * waits for itself instead of drawing 429s (which, surfaced as rate-limited job errors, would pause the
 * whole repository queue and every other channel with it). A caller that would wait longer than
 * `maxWaitMs` gets a `rate-limited` error with the wait as `retryAfterMs`, and its token is given back,
 * so a worker slot is never held for long. Updates and ephemerals pass straight through.
 */
export class ChannelRateLimitedChat implements Chat {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly chat: Chat,
    private readonly limit: ChannelRateLimit = SLACK_CHANNEL_RATE,
    private readonly clock: LimiterClock = systemClock,
  ) {}

  async postRepositoryCard(channel: string, card: RepositoryCard): Promise<MessageRef> {
    await this.take(channel);
    return this.chat.postRepositoryCard(channel, card);
  }

  findRepositoryCard(channel: string, repositoryKey: string): Promise<MessageRef | undefined> {
    return this.chat.findRepositoryCard(channel, repositoryKey);
  }

  isRepositoryCard(ref: MessageRef, repositoryKey: string): Promise<boolean> {
    return this.chat.isRepositoryCard(ref, repositoryKey);
  }

  updateRepositoryCard(ref: MessageRef, card: RepositoryCard): Promise<void> {
    return this.chat.updateRepositoryCard(ref, card);
  }

  async postSuppressionReview(channel: string, review: SuppressionReviewCard): Promise<MessageRef> {
    await this.take(channel);
    return this.chat.postSuppressionReview(channel, review);
  }

  findSuppressionReview(
    channel: string,
    suppressionId: string,
    at?: string,
  ): Promise<MessageRef | undefined> {
    return this.chat.findSuppressionReview(channel, suppressionId, at);
  }

  updateSuppressionReview(ref: MessageRef, review: SuppressionReviewCard): Promise<void> {
    return this.chat.updateSuppressionReview(ref, review);
  }

  notifyEphemeral(channel: string, user: string, text: string): Promise<void> {
    return this.chat.notifyEphemeral(channel, user, text);
  }

  async notify(channel: string, text: string): Promise<MessageRef> {
    await this.take(channel);
    return this.chat.notify(channel, text);
  }

  userIdByEmail(email: string): Promise<string | undefined> {
    return this.chat.userIdByEmail(email);
  }

  private async take(channel: string): Promise<void> {
    const { perSecond, burst, maxWaitMs } = this.limit;
    const now = this.clock.now();
    const bucket = this.buckets.get(channel) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    this.buckets.set(channel, bucket);
    const waitMs = bucket.tokens >= 1 ? 0 : Math.ceil(((1 - bucket.tokens) / perSecond) * 1000);
    if (waitMs > maxWaitMs) {
      throw new HubwardenError(`Slack channel ${channel} is at its message rate; retry in ${waitMs} ms`, {
        kind: 'rate-limited',
        code: 'slack.channel_rate',
        service: 'slack',
        retryAfterMs: waitMs,
      });
    }
    bucket.tokens -= 1;
    if (waitMs > 0) await this.clock.sleep(waitMs);
  }
}
