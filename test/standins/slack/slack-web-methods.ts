import { randomBytes } from 'node:crypto';

import { blockKitProblem, modalViewProblem } from './block-kit-limits.js';
import type { StandInUser, StoredEphemeral, StoredMessage, StoredView } from './slack-standin-state.js';

type Params = Record<string, unknown>;
export type MethodAnswer = Record<string, unknown> & { ok: boolean };

/** Slack triggers expire after 3 seconds. */
export const TRIGGER_LIFETIME_MS = 3000;

const fail = (error: string, detail?: string): MethodAnswer =>
  detail === undefined
    ? { ok: false, error }
    : { ok: false, error, response_metadata: { messages: [`[ERROR] ${detail}`] } };

/** Form-encoded calls carry objects as JSON strings; JSON calls carry them as they are. */
const objectParam = (value: unknown): unknown => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return Symbol.for('unparseable');
  }
};

const stringParam = (params: Params, name: string): string | undefined => {
  const value = params[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/** The scopes a bot token holds unless a test says otherwise: what hubwarden's app manifest asks for. */
export const DEFAULT_SCOPES: readonly string[] = [
  'chat:write',
  'im:write',
  'users:read',
  'users:read.email',
  'channels:read',
  'groups:read',
  'channels:history',
  'groups:history',
  'im:history',
];

const isPrivateId = (channel: string): boolean => channel.startsWith('G');

/** The scope a method needs for this channel, as Slack documents it; `undefined`: none. */
export const scopeNeeded = (method: string, channel: string | undefined): string | undefined => {
  const kind = channel?.startsWith('D') ? 'im' : channel && isPrivateId(channel) ? 'groups' : 'channels';
  switch (method) {
    case 'chat.postMessage':
    case 'chat.update':
    case 'chat.postEphemeral':
      return 'chat:write';
    case 'conversations.history':
      return `${kind}:history`;
    case 'conversations.info':
      return `${kind === 'im' ? 'im' : kind}:read`;
    case 'conversations.open':
      return 'im:write';
    case 'users.lookupByEmail':
      return 'users:read.email';
    default:
      return undefined;
  }
};

export interface WorkspaceOptions {
  readonly users: readonly StandInUser[];
  /** scopes of the bot token */
  readonly scopes: readonly string[];
  /** when set, only these conversation ids exist (plus DMs it opened) */
  readonly channels: readonly string[] | undefined;
  /** channels the bot is not a member of */
  readonly notInChannel: readonly string[];
  readonly now: () => number;
}

/** The workspace the stand-in simulates and its Web API methods (one method = one function). */
/** Orders Slack timestamps (`seconds.micros`) exactly, without floating point. */
const compareTs = (a: string, b: string): number => {
  const [aSeconds = '0', aMicros = ''] = a.split('.');
  const [bSeconds = '0', bMicros = ''] = b.split('.');
  const seconds = BigInt(aSeconds) - BigInt(bSeconds);
  if (seconds !== 0n) return seconds < 0n ? -1 : 1;
  return aMicros.padEnd(6, '0').localeCompare(bMicros.padEnd(6, '0'));
};

export class SlackWorkspace {
  readonly messages: StoredMessage[] = [];
  readonly ephemerals: StoredEphemeral[] = [];
  readonly views: StoredView[] = [];
  private readonly triggers = new Map<string, { issuedAt: number; used: boolean }>();
  private readonly dms = new Map<string, string>();
  private tsCounter = 0;
  private viewCounter = 0;

  constructor(private readonly options: WorkspaceOptions) {}

  reset(): void {
    this.messages.length = 0;
    this.ephemerals.length = 0;
    this.views.length = 0;
  }

  issueTriggerId(): string {
    const id = `${Math.floor(this.options.now() / 1000)}.${this.triggers.size + 1}.${randomBytes(8).toString('hex')}`;
    this.triggers.set(id, { issuedAt: this.options.now(), used: false });
    return id;
  }

  message(channel: string, ts: string): StoredMessage | undefined {
    return this.messages.find((message) => message.channel === channel && message.ts === ts);
  }

  dmChannelOf(userId: string): string {
    const existing = this.dms.get(userId);
    if (existing) return existing;
    const id = `D${userId.slice(1)}`;
    this.dms.set(userId, id);
    return id;
  }

  call(method: string, params: Params): MethodAnswer {
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://standin.slack.com/',
          team: 'Stand-in',
          user: 'hubwarden',
          team_id: 'T0STANDIN',
          user_id: 'U0HUBWARDEN',
          bot_id: 'B0HUBWARDEN',
          is_enterprise_install: false,
        };
      case 'chat.postMessage':
        return this.postMessage(params);
      case 'chat.update':
        return this.update(params);
      case 'chat.postEphemeral':
        return this.postEphemeral(params);
      case 'views.open':
        return this.openView(params);
      case 'views.publish':
        return this.publishView(params);
      case 'users.lookupByEmail':
        return this.lookupByEmail(params);
      case 'conversations.open':
        return this.openConversation(params);
      case 'conversations.history':
        return this.history(params);
      case 'conversations.info':
        return this.info(params);
      default:
        return fail('unknown_method');
    }
  }

  private nextTs(): string {
    this.tsCounter += 1;
    return `${Math.floor(this.options.now() / 1000)}.${String(this.tsCounter).padStart(6, '0')}`;
  }

  /** The conversation a `channel` argument names, or the Slack error for it. */
  private conversation(channel: string | undefined, posting = false): { id: string } | { error: string } {
    if (!channel) return { error: 'channel_not_found' };
    if (/^[UW][A-Z0-9]+$/.test(channel)) {
      return this.options.users.some((user) => user.id === channel) || !this.options.channels
        ? { id: this.dmChannelOf(channel) }
        : { error: 'channel_not_found' };
    }
    if (channel.startsWith('D')) {
      return [...this.dms.values()].includes(channel) ? { id: channel } : { error: 'channel_not_found' };
    }
    if (this.options.channels && !this.options.channels.includes(channel))
      return { error: 'channel_not_found' };
    if (this.options.notInChannel.includes(channel)) {
      // chat:write.public lets a bot post in public channels it has not joined; private ones stay closed.
      const publicPost =
        posting && !isPrivateId(channel) && this.options.scopes.includes('chat:write.public');
      return publicPost ? { id: channel } : { error: 'not_in_channel' };
    }
    return { id: channel };
  }

  /** `conversations.info`: a private channel the bot is not in does not exist for it. */
  private info(params: Params): MethodAnswer {
    const channel = stringParam(params, 'channel');
    if (!channel) return fail('channel_not_found');
    if (/^[CG]/.test(channel)) {
      const known = !this.options.channels || this.options.channels.includes(channel);
      const member = !this.options.notInChannel.includes(channel);
      const isPrivate = isPrivateId(channel);
      if (!known || (isPrivate && !member)) return fail('channel_not_found');
      return {
        ok: true,
        channel: {
          id: channel,
          name: channel.toLowerCase(),
          name_normalized: channel.toLowerCase(),
          is_channel: !isPrivate,
          is_group: isPrivate,
          is_im: false,
          is_mpim: false,
          is_private: isPrivate,
          is_archived: false,
          is_general: false,
          is_member: member,
          created: 1_700_000_000,
          creator: 'U0CREATOR',
        },
      };
    }
    const target = this.conversation(channel);
    if ('error' in target) return fail(target.error);
    return { ok: true, channel: { id: target.id, is_im: true, is_private: true, is_member: true } };
  }

  private content(
    params: Params,
  ): { text: string | undefined; blocks: unknown[] | undefined } | MethodAnswer {
    const text = stringParam(params, 'text');
    const blocks = params.blocks === undefined ? undefined : objectParam(params.blocks);
    if (blocks !== undefined && !Array.isArray(blocks)) return fail('invalid_blocks_format');
    const problem = blockKitProblem(blocks, 50);
    if (problem) return fail('invalid_blocks', problem);
    if (text === undefined && (blocks === undefined || blocks.length === 0)) return fail('no_text');
    if (text !== undefined && text.length > 40_000) return fail('msg_too_long');
    return { text, blocks };
  }

  /**
   * Newest first, as Slack answers; metadata only with `include_all_metadata`. `latest` and `oldest` bound
   * the time range, excluding messages at exactly those timestamps unless `inclusive`.
   */
  private history(params: Params): MethodAnswer {
    const target = this.conversation(stringParam(params, 'channel'));
    if ('error' in target) return fail(target.error);
    const limit = Math.min(999, Math.max(1, Number(params.limit ?? 100) || 100));
    const withMetadata = params.include_all_metadata === true || params.include_all_metadata === 'true';
    // Slack's range: after `oldest` and before `latest`, both ends included with `inclusive`.
    const inclusive = params.inclusive === true || params.inclusive === 'true' || params.inclusive === '1';
    const oldest = stringParam(params, 'oldest');
    const latest = stringParam(params, 'latest');
    if (oldest !== undefined && !/^\d+(\.\d+)?$/.test(oldest)) return fail('invalid_ts_oldest');
    if (latest !== undefined && !/^\d+(\.\d+)?$/.test(latest)) return fail('invalid_ts_latest');
    const inRange = (ts: string) =>
      (oldest === undefined || (inclusive ? compareTs(ts, oldest) >= 0 : compareTs(ts, oldest) > 0)) &&
      (latest === undefined || (inclusive ? compareTs(ts, latest) <= 0 : compareTs(ts, latest) < 0));
    const messages = this.messages
      .filter((message) => message.channel === target.id && inRange(message.ts))
      .reverse()
      .slice(0, limit)
      .map((message) => ({
        type: 'message',
        bot_id: 'B0HUBWARDEN',
        ts: message.ts,
        text: message.text,
        ...(withMetadata && message.metadata !== undefined ? { metadata: message.metadata } : {}),
      }));
    return { ok: true, messages, has_more: false };
  }

  private postMessage(params: Params): MethodAnswer {
    const target = this.conversation(stringParam(params, 'channel'), true);
    if ('error' in target) return fail(target.error);
    const content = this.content(params);
    if ('ok' in content) return content;
    const metadata = params.metadata === undefined ? undefined : objectParam(params.metadata);
    const message: StoredMessage = {
      channel: target.id,
      ts: this.nextTs(),
      ...content,
      versions: [{ ...content, at: this.options.now() }],
      ...(metadata === undefined ? {} : { metadata }),
    };
    this.messages.push(message);
    return {
      ok: true,
      channel: message.channel,
      ts: message.ts,
      message: { type: 'message', bot_id: 'B0HUBWARDEN', ...content, ts: message.ts },
    };
  }

  private update(params: Params): MethodAnswer {
    const target = this.conversation(stringParam(params, 'channel'));
    if ('error' in target) return fail(target.error);
    const ts = stringParam(params, 'ts');
    const message = ts === undefined ? undefined : this.message(target.id, ts);
    if (!message) return fail('message_not_found');
    const content = this.content(params);
    if ('ok' in content) return content;
    message.text = content.text;
    message.blocks = content.blocks;
    message.versions.push({ ...content, at: this.options.now() });
    return { ok: true, channel: message.channel, ts: message.ts, text: content.text ?? '' };
  }

  private postEphemeral(params: Params): MethodAnswer {
    const target = this.conversation(stringParam(params, 'channel'));
    if ('error' in target) return fail(target.error);
    const user = stringParam(params, 'user');
    if (!user || !/^[UW][A-Z0-9]+$/.test(user)) return fail('user_not_found');
    const content = this.content(params);
    if ('ok' in content) return content;
    const messageTs = this.nextTs();
    this.ephemerals.push({ channel: target.id, user, messageTs, ...content });
    return { ok: true, message_ts: messageTs };
  }

  private openView(params: Params): MethodAnswer {
    const triggerId = stringParam(params, 'trigger_id');
    if (!triggerId) return fail('invalid_arguments', 'trigger_id is required');
    const trigger = this.triggers.get(triggerId);
    if (!trigger) return fail('invalid_trigger_id');
    if (trigger.used) return fail('exchanged_trigger_id');
    if (this.options.now() - trigger.issuedAt >= TRIGGER_LIFETIME_MS) return fail('expired_trigger_id');
    const view = objectParam(params.view);
    if (!isRecord(view)) return fail('invalid_arguments', 'view must be an object');
    const problem = modalViewProblem(view);
    if (problem) return fail('invalid_arguments', problem);
    trigger.used = true;
    const stored: StoredView = { id: this.nextViewId(), kind: 'modal', userId: undefined, triggerId, view };
    this.views.push(stored);
    return {
      ok: true,
      view: { ...view, id: stored.id, state: { values: {} }, hash: `${this.viewCounter}.hash` },
    };
  }

  private publishView(params: Params): MethodAnswer {
    const userId = stringParam(params, 'user_id');
    if (!userId) return fail('invalid_arguments', 'user_id is required');
    const view = objectParam(params.view);
    if (!isRecord(view) || view.type !== 'home') return fail('invalid_arguments', 'view.type must be home');
    const problem = blockKitProblem(view.blocks, 100);
    if (problem) return fail('invalid_arguments', problem);
    const stored: StoredView = { id: this.nextViewId(), kind: 'home', userId, triggerId: undefined, view };
    this.views.push(stored);
    return { ok: true, view: { ...view, id: stored.id } };
  }

  private nextViewId(): string {
    this.viewCounter += 1;
    return `V${String(this.viewCounter).padStart(8, '0')}`;
  }

  private lookupByEmail(params: Params): MethodAnswer {
    const email = stringParam(params, 'email')?.toLowerCase();
    const user = this.options.users.find((candidate) => candidate.email.toLowerCase() === email);
    if (!user) return fail('users_not_found');
    return {
      ok: true,
      user: { id: user.id, name: user.name ?? user.email.split('@')[0], profile: { email: user.email } },
    };
  }

  private openConversation(params: Params): MethodAnswer {
    const users = stringParam(params, 'users')?.split(',') ?? [];
    const [user] = users;
    if (users.length !== 1 || user === undefined) return fail('invalid_arguments', 'one user expected');
    if (this.options.channels && !this.options.users.some((candidate) => candidate.id === user)) {
      return fail('user_not_found');
    }
    return { ok: true, channel: { id: this.dmChannelOf(user) } };
  }
}
