import { webApi } from '@slack/bolt';
import type { Dispatcher } from 'undici';

import { HubwardenError } from '../../core/errors.js';
import type {
  Chat,
  MessageRef,
  RepositoryCard,
  RepositoryCardSubject,
  ReviewCardSubject,
  SuppressionReviewCard,
} from '../../core/ports/chat.js';
import { LIMITS, plainSection } from './block-kit.js';
import { escapeMrkdwn } from './escape-mrkdwn.js';
import { renderRepositoryCard } from './render-repository-card.js';
import type { RenderedMessage } from './render-repository-card.js';
import { renderSuppressionReview } from './render-review-card.js';
import { classifySlackError } from './slack-errors.js';
import { silentLogger } from './slack-logger.js';
import type { SlackLogger } from './slack-logger.js';
import { normaliseApiUrl, webClientOptions } from './slack-client-options.js';

export interface SlackChatOptions {
  /** bot token, `xoxb-…` */
  readonly token: string;
  /** Web API base URL (default `https://slack.com/api/`); tests and the demo point it at the stand-in */
  readonly apiUrl?: string;
  readonly logger?: SlackLogger;
  readonly timeoutMs?: number;
  /** undici dispatcher (a proxy) for every Web API call; default direct */
  readonly dispatcher?: Dispatcher;
}

export interface SlackIdentity {
  readonly teamId: string;
  readonly userId: string;
  readonly botId: string | undefined;
  /** the token's scopes, from the `x-oauth-scopes` header; `undefined` when Slack sent none */
  readonly scopes: readonly string[] | undefined;
}

/** What `conversations.info` says about a channel, for `check-config`. */
export interface SlackChannelInfo {
  readonly id: string;
  readonly name: string | undefined;
  readonly isPrivate: boolean;
  readonly isArchived: boolean;
  readonly isMember: boolean;
}

/** Message metadata type on every repository card: how a card is found again after a lost answer. */
const CARD_EVENT_TYPE = 'hubwarden_repository';
/** Message metadata type on every suppression review card, for the same reason. */
const REVIEW_EVENT_TYPE = 'hubwarden_suppression_review';
/** Recent messages searched for a card whose post answer was lost (a retry comes within minutes). */
const HISTORY_LOOKBACK = 200;

/** The message metadata hubwarden puts on a repository's card, naming that repository. */
const isCardOf = (metadata: unknown, repositoryKey: string): boolean => {
  const card = metadata as { event_type?: string; event_payload?: { repository_key?: unknown } } | undefined;
  return card?.event_type === CARD_EVENT_TYPE && card.event_payload?.repository_key === repositoryKey;
};

const isUserId = (channel: string): boolean => /^[UW][A-Z0-9]+$/.test(channel);

/** A message of plain text: the block shows it exactly, the fallback text is escaped. */
const plainMessage = (text: string): RenderedMessage => ({
  text: escapeMrkdwn(text, LIMITS.fallbackText),
  blocks: [plainSection(text)],
});

/** The `Chat` port on Slack's Web API. Every method throws a classified `HubwardenError`. */
export class SlackChat implements Chat {
  private readonly client: webApi.WebClient;
  /** user id → DM channel id, so a DM is opened once per user */
  private readonly directChannels = new Map<string, string>();
  /** the Web API base URL, named in error messages */
  private readonly apiUrl: string;

  constructor(options: SlackChatOptions) {
    this.apiUrl = normaliseApiUrl(options.apiUrl);
    this.client = new webApi.WebClient(
      options.token,
      webClientOptions(options.apiUrl, options.logger ?? silentLogger, options.timeoutMs, options.dispatcher),
    );
  }

  async postRepositoryCard(channel: string, card: RepositoryCard): Promise<MessageRef> {
    return this.post(channel, renderRepositoryCard(card), {
      event_type: CARD_EVENT_TYPE,
      // the ARN too: a press on the card can re-read the repository after Redis lost its record
      event_payload: { repository_key: card.repository.key, repository_arn: card.repository.arn },
    });
  }

  async findRepositoryCard(channel: string, repositoryKey: string): Promise<MessageRef | undefined> {
    return this.findTagged(channel, CARD_EVENT_TYPE, 'repository_key', repositoryKey);
  }

  async isRepositoryCard(ref: MessageRef, repositoryKey: string): Promise<boolean> {
    return isCardOf(await this.metadataAt(ref), repositoryKey);
  }

  async repositoryCardAt(ref: MessageRef, repositoryKey: string): Promise<RepositoryCardSubject | undefined> {
    const metadata = await this.metadataAt(ref);
    if (!isCardOf(metadata, repositoryKey)) return undefined;
    const arn = (metadata as { event_payload?: Record<string, unknown> }).event_payload?.['repository_arn'];
    return { repositoryKey, repositoryArn: typeof arn === 'string' && arn !== '' ? arn : undefined };
  }

  async reviewCardAt(ref: MessageRef, suppressionId: string): Promise<ReviewCardSubject | undefined> {
    const metadata = (await this.metadataAt(ref)) as
      { event_type?: string; event_payload?: Record<string, unknown> } | undefined;
    const payload = metadata?.event_payload;
    if (metadata?.event_type !== REVIEW_EVENT_TYPE || payload?.['suppression_id'] !== suppressionId) {
      return undefined;
    }
    const arn = payload['repository_arn'];
    return { suppressionId, repositoryArn: typeof arn === 'string' && arn !== '' ? arn : undefined };
  }

  /** The metadata of the message at `ref`; `undefined` when it has none, or is missing or unreadable. */
  private async metadataAt(ref: MessageRef): Promise<unknown> {
    let answer: webApi.ConversationsHistoryResponse;
    try {
      const conversation = await this.conversationOf(ref.channel);
      // Slack's way to read one message: the range [ts, ts], inclusive, one message.
      answer = await this.call('conversations.history', () =>
        this.client.conversations.history({
          channel: conversation,
          oldest: ref.ts,
          latest: ref.ts,
          inclusive: true,
          limit: 1,
          include_all_metadata: true,
        }),
      );
    } catch (error) {
      if (error instanceof HubwardenError && error.kind === 'permanent') return undefined;
      throw error;
    }
    return answer.messages?.find((candidate) => candidate.ts === ref.ts)?.metadata;
  }

  async updateRepositoryCard(ref: MessageRef, card: RepositoryCard): Promise<void> {
    await this.update(ref, renderRepositoryCard(card));
  }

  async postSuppressionReview(channel: string, review: SuppressionReviewCard): Promise<MessageRef> {
    return this.post(channel, renderSuppressionReview(review), {
      event_type: REVIEW_EVENT_TYPE,
      // The repository too: a reviewer's press can rebuild a suppression Redis lost from its findings.
      event_payload: {
        suppression_id: review.suppression.id,
        repository_key: review.suppression.repository.key,
        repository_arn: review.suppression.repository.arn,
      },
    });
  }

  async findSuppressionReview(
    channel: string,
    suppressionId: string,
    at?: string,
  ): Promise<MessageRef | undefined> {
    // The message at `at` first (it may be older than the recent history searched next).
    const exact = at
      ? await this.findTagged(channel, REVIEW_EVENT_TYPE, 'suppression_id', suppressionId, {
          latest: at,
          inclusive: true,
          limit: 1,
        })
      : undefined;
    return exact ?? this.findTagged(channel, REVIEW_EVENT_TYPE, 'suppression_id', suppressionId);
  }

  async updateSuppressionReview(ref: MessageRef, review: SuppressionReviewCard): Promise<void> {
    await this.update(ref, renderSuppressionReview(review));
  }

  async notifyEphemeral(channel: string, user: string, text: string): Promise<void> {
    const conversation = await this.conversationOf(channel);
    const message = plainMessage(text);
    await this.call('chat.postEphemeral', () =>
      this.client.chat.postEphemeral({
        channel: conversation,
        user,
        text: message.text,
        blocks: message.blocks,
      }),
    );
  }

  async notify(channel: string, text: string): Promise<MessageRef> {
    return this.post(channel, plainMessage(text));
  }

  async userIdByEmail(email: string): Promise<string | undefined> {
    try {
      const answer = await this.client.users.lookupByEmail({ email });
      return answer.user?.id;
    } catch (error) {
      const classified = classifySlackError(error, 'users.lookupByEmail', this.apiUrl);
      if (classified.code === 'slack.users_not_found') return undefined;
      throw classified;
    }
  }

  /** `auth.test`: who the token is (for `check-config`). */
  async identity(): Promise<SlackIdentity> {
    const answer = await this.call('auth.test', () => this.client.auth.test());
    if (!answer.team_id || !answer.user_id) {
      throw new HubwardenError('Slack auth.test answered without team or user', {
        kind: 'permanent',
        code: 'slack.bad_answer',
        service: 'slack',
      });
    }
    return {
      teamId: answer.team_id,
      userId: answer.user_id,
      botId: answer.bot_id,
      // WebClient copies the x-oauth-scopes header here
      scopes: answer.response_metadata?.scopes,
    };
  }

  /** `conversations.info`: whether the bot is in the channel (for `check-config`). */
  async channelInfo(channel: string): Promise<SlackChannelInfo> {
    const answer = await this.call('conversations.info', () => this.client.conversations.info({ channel }));
    const info = answer.channel;
    return {
      id: info?.id ?? channel,
      name: info?.name,
      isPrivate: info?.is_private === true,
      isArchived: info?.is_archived === true,
      isMember: info?.is_member === true,
    };
  }

  /** The newest of the channel's recent messages (or those in `range`) whose metadata carries this type and value. */
  private async findTagged(
    channel: string,
    eventType: string,
    field: string,
    value: string,
    range: { latest: string; inclusive: boolean; limit: number } | undefined = undefined,
  ): Promise<MessageRef | undefined> {
    const conversation = await this.conversationOf(channel);
    const answer = await this.call('conversations.history', () =>
      this.client.conversations.history({
        channel: conversation,
        limit: HISTORY_LOOKBACK,
        include_all_metadata: true,
        ...range,
      }),
    );
    const found = (answer.messages ?? []).find((message) => {
      const metadata = message.metadata as
        { event_type?: string; event_payload?: Record<string, unknown> } | undefined;
      return metadata?.event_type === eventType && metadata.event_payload?.[field] === value;
    });
    return found?.ts ? { channel: conversation, ts: found.ts } : undefined;
  }

  private async post(
    channel: string,
    message: RenderedMessage,
    metadata?: { event_type: string; event_payload: Record<string, string> },
  ): Promise<MessageRef> {
    const conversation = await this.conversationOf(channel);
    const answer = await this.call('chat.postMessage', () =>
      this.client.chat.postMessage({
        channel: conversation,
        text: message.text,
        blocks: message.blocks,
        unfurl_links: false,
        unfurl_media: false,
        ...(metadata ? { metadata } : {}),
      }),
    );
    if (!answer.ts || !answer.channel) {
      throw new HubwardenError('Slack chat.postMessage answered without ts or channel', {
        kind: 'retryable',
        code: 'slack.bad_answer',
        service: 'slack',
      });
    }
    return { channel: answer.channel, ts: answer.ts };
  }

  private async update(ref: MessageRef, message: RenderedMessage): Promise<void> {
    const conversation = await this.conversationOf(ref.channel);
    await this.call('chat.update', () =>
      this.client.chat.update({
        channel: conversation,
        ts: ref.ts,
        text: message.text,
        blocks: message.blocks,
      }),
    );
  }

  /** A user id means a direct message: open (once) the DM conversation and use its id. */
  private async conversationOf(channel: string): Promise<string> {
    if (!isUserId(channel)) return channel;
    const known = this.directChannels.get(channel);
    if (known) return known;
    const answer = await this.call('conversations.open', () =>
      this.client.conversations.open({ users: channel }),
    );
    const id = answer.channel?.id;
    if (!id) {
      throw new HubwardenError('Slack conversations.open answered without a channel', {
        kind: 'retryable',
        code: 'slack.bad_answer',
        service: 'slack',
      });
    }
    this.directChannels.set(channel, id);
    return id;
  }

  private async call<T>(method: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw classifySlackError(error, method, this.apiUrl);
    }
  }
}
