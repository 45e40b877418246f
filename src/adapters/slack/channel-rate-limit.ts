import { HubwardenError, isHubwardenError } from '../../core/errors.js';
import { inMemoryBudgets, systemClock, type BudgetFactory, type Clock } from '../../shared/token-bucket.js';
import type {
  Chat,
  MessageRef,
  RepositoryCard,
  RepositoryCardSubject,
  ReviewCardSubject,
  SuppressionReviewCard,
} from '../../core/ports/chat.js';

/** Slack's `chat.postMessage` limit: about one message a second per channel, short bursts allowed. */
export interface ChannelRateLimit {
  readonly perSecond: number;
  readonly burst: number;
  /** longest a caller waits for its channel; beyond it the call fails `rate-limited` at once */
  readonly maxWaitMs: number;
}

export const SLACK_CHANNEL_RATE: ChannelRateLimit = { perSecond: 1, burst: 3, maxWaitMs: 5_000 };

/** Time as the limiter sees it (the shared clock; tests pass a fake one). */
export type LimiterClock = Clock;

/** The budget name of one channel's messages. */
const channelBudgetName = (channel: string): string => `slack:chat.postMessage:${channel}`;

/**
 * The Chat port with a budget per channel in front of every new message, so one busy owner channel
 * waits for itself instead of drawing 429s (which, surfaced as rate-limited job errors, would pause the
 * whole repository queue and every other channel with it). A caller that would wait longer than
 * `maxWaitMs` gets a `rate-limited` error with the wait as `retryAfterMs` and reserves nothing, so a
 * worker slot is never held for long. Updates and ephemerals pass straight through, but a 429 on any call
 * about a channel pauses that channel's budget for Slack's Retry-After. With `budgets` from Redis, every
 * process of the deployment shares each channel's budget.
 */
export class ChannelRateLimitedChat implements Chat {
  private readonly budgets: BudgetFactory;

  constructor(
    private readonly chat: Chat,
    private readonly limit: ChannelRateLimit = SLACK_CHANNEL_RATE,
    clock: LimiterClock = systemClock,
    budgets?: BudgetFactory,
  ) {
    this.budgets = budgets ?? inMemoryBudgets(clock);
  }

  async postRepositoryCard(channel: string, card: RepositoryCard): Promise<MessageRef> {
    await this.take(channel);
    return this.paused(channel, this.chat.postRepositoryCard(channel, card));
  }

  findRepositoryCard(channel: string, repositoryKey: string): Promise<MessageRef | undefined> {
    return this.chat.findRepositoryCard(channel, repositoryKey);
  }

  isRepositoryCard(ref: MessageRef, repositoryKey: string): Promise<boolean> {
    return this.chat.isRepositoryCard(ref, repositoryKey);
  }

  repositoryCardAt(ref: MessageRef, repositoryKey: string): Promise<RepositoryCardSubject | undefined> {
    return this.chat.repositoryCardAt(ref, repositoryKey);
  }

  updateRepositoryCard(ref: MessageRef, card: RepositoryCard): Promise<void> {
    return this.paused(ref.channel, this.chat.updateRepositoryCard(ref, card));
  }

  async postSuppressionReview(channel: string, review: SuppressionReviewCard): Promise<MessageRef> {
    await this.take(channel);
    return this.paused(channel, this.chat.postSuppressionReview(channel, review));
  }

  findSuppressionReview(
    channel: string,
    suppressionId: string,
    at?: string,
  ): Promise<MessageRef | undefined> {
    return this.chat.findSuppressionReview(channel, suppressionId, at);
  }

  reviewCardAt(ref: MessageRef, suppressionId: string): Promise<ReviewCardSubject | undefined> {
    return this.chat.reviewCardAt(ref, suppressionId);
  }

  updateSuppressionReview(ref: MessageRef, review: SuppressionReviewCard): Promise<void> {
    return this.paused(ref.channel, this.chat.updateSuppressionReview(ref, review));
  }

  notifyEphemeral(channel: string, user: string, text: string): Promise<void> {
    return this.chat.notifyEphemeral(channel, user, text);
  }

  async notify(channel: string, text: string): Promise<MessageRef> {
    await this.take(channel);
    return this.paused(channel, this.chat.notify(channel, text));
  }

  userIdByEmail(email: string): Promise<string | undefined> {
    return this.chat.userIdByEmail(email);
  }

  private async take(channel: string): Promise<void> {
    const waitMs = await this.budget(channel).tryTake(this.limit.maxWaitMs);
    if (waitMs > 0) {
      throw new HubwardenError(`Slack channel ${channel} is at its message rate; retry in ${waitMs} ms`, {
        kind: 'rate-limited',
        code: 'slack.channel_rate',
        service: 'slack',
        retryAfterMs: waitMs,
      });
    }
  }

  /** Slack said 429 about this channel anyway (another client posts there too): every caller holds back. */
  private async paused<T>(channel: string, call: Promise<T>): Promise<T> {
    try {
      return await call;
    } catch (error) {
      if (isHubwardenError(error) && error.kind === 'rate-limited' && error.code !== 'slack.channel_rate') {
        await this.budget(channel).pauseFor(error.retryAfterMs ?? 1_000);
      }
      throw error;
    }
  }

  private budget(channel: string) {
    const { perSecond, burst } = this.limit;
    return this.budgets(channelBudgetName(channel), { perSecond, burst });
  }
}
