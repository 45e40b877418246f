/**
 * Interaction and event payloads built the way Slack sends them to a request URL, and helpers that deliver
 * them signed (interactions form-encoded as `payload=<json>`, events as JSON).
 */
import { signSlackRequest } from './slack-signing.js';

export const STANDIN_TEAM = { id: 'T0STANDIN', domain: 'standin' } as const;
const API_APP_ID = 'A0HUBWARDEN';
/** Slack never sends two identical payloads: every delivery has its own trigger id and event id. */
let delivery = 0;
const nextDelivery = (): number => ++delivery;

export interface BlockActionsInput {
  readonly actionId: string;
  readonly value: string;
  readonly userId: string;
  readonly channelId: string;
  readonly messageTs: string;
  readonly triggerId: string;
  readonly blockId?: string;
}

/** The `user` of an interaction payload, as Slack sends it. */
const payloadUser = (userId: string) => ({
  id: userId,
  username: userId.toLowerCase(),
  name: userId.toLowerCase(),
  team_id: STANDIN_TEAM.id,
});

/** A `block_actions` payload for a button pressed in a channel message. */
export const buildBlockActionsPayload = (input: BlockActionsInput): Record<string, unknown> => ({
  type: 'block_actions',
  user: payloadUser(input.userId),
  api_app_id: API_APP_ID,
  token: 'deprecated-verification-token',
  container: {
    type: 'message',
    message_ts: input.messageTs,
    channel_id: input.channelId,
    is_ephemeral: false,
  },
  trigger_id: input.triggerId,
  team: STANDIN_TEAM,
  enterprise: null,
  is_enterprise_install: false,
  channel: { id: input.channelId, name: 'standin-channel' },
  message: {
    type: 'message',
    user: 'U0HUBWARDEN',
    bot_id: 'B0HUBWARDEN',
    ts: input.messageTs,
    text: 'fallback text',
    blocks: [],
  },
  state: { values: {} },
  response_url: `https://hooks.slack.com/actions/${STANDIN_TEAM.id}/1/standin`,
  actions: [
    {
      action_id: input.actionId,
      block_id: input.blockId ?? 'actions',
      text: { type: 'plain_text', text: input.actionId, emoji: true },
      value: input.value,
      type: 'button',
      action_ts: `${Math.floor(Date.now() / 1000)}.000100`,
    },
  ],
});

export type StateValue =
  | { readonly type: 'plain_text_input'; readonly value: string | null }
  | { readonly type: 'datepicker'; readonly selected_date: string | null };

export const plainTextInputValue = (value: string | null): StateValue => ({
  type: 'plain_text_input',
  value,
});
export const datepickerValue = (selectedDate: string | null): StateValue => ({
  type: 'datepicker',
  selected_date: selectedDate,
});

export interface ViewSubmissionInput {
  readonly callbackId: string;
  readonly privateMetadata: string;
  readonly userId: string;
  /** `view.state.values[block_id][action_id]` */
  readonly values: Readonly<Record<string, Readonly<Record<string, StateValue>>>>;
  readonly viewId?: string;
  readonly triggerId?: string;
}

/** A `view_submission` payload for a modal's submit button. */
export const buildViewSubmissionPayload = (input: ViewSubmissionInput): Record<string, unknown> => ({
  type: 'view_submission',
  team: STANDIN_TEAM,
  user: payloadUser(input.userId),
  api_app_id: API_APP_ID,
  token: 'deprecated-verification-token',
  trigger_id: input.triggerId ?? `${Math.floor(Date.now() / 1000)}.${nextDelivery()}.submission`,
  view: {
    id: input.viewId ?? 'V00000001',
    team_id: STANDIN_TEAM.id,
    type: 'modal',
    blocks: [],
    private_metadata: input.privateMetadata,
    callback_id: input.callbackId,
    state: { values: input.values },
    hash: '1.hash',
    title: { type: 'plain_text', text: 'Modal', emoji: true },
    clear_on_close: false,
    notify_on_close: false,
    close: null,
    submit: { type: 'plain_text', text: 'Submit', emoji: true },
    previous_view_id: null,
    root_view_id: input.viewId ?? 'V00000001',
    app_id: API_APP_ID,
    external_id: '',
    app_installed_team_id: STANDIN_TEAM.id,
    bot_id: 'B0HUBWARDEN',
  },
  response_urls: [],
  is_enterprise_install: false,
  enterprise: null,
});

/** An Events API `event_callback` envelope for `app_home_opened`. */
export const buildAppHomeOpenedEvent = (
  userId: string,
  tab: 'home' | 'messages' = 'home',
): Record<string, unknown> => ({
  token: 'deprecated-verification-token',
  team_id: STANDIN_TEAM.id,
  api_app_id: API_APP_ID,
  event: {
    type: 'app_home_opened',
    user: userId,
    channel: `D${userId.slice(1)}`,
    tab,
    event_ts: `${Math.floor(Date.now() / 1000)}.000200`,
  },
  type: 'event_callback',
  event_id: `Ev${Date.now()}${nextDelivery()}`,
  event_time: Math.floor(Date.now() / 1000),
  authorizations: [
    {
      enterprise_id: null,
      team_id: STANDIN_TEAM.id,
      user_id: 'U0HUBWARDEN',
      is_bot: true,
      is_enterprise_install: false,
    },
  ],
});

/** Slack's interaction body: `payload=<url-encoded JSON>`. */
export const formEncodePayload = (payload: unknown): string =>
  new URLSearchParams({ payload: JSON.stringify(payload) }).toString();

export interface DeliveryOptions {
  /** unix seconds put in the signature (default now) */
  readonly timestamp?: number;
  /** replaces the headers Slack would send (to test unsigned or tampered requests) */
  readonly headers?: Record<string, string>;
}

export interface Delivery {
  readonly status: number;
  readonly body: string;
  json(): unknown;
}

/** Posts a raw body with exactly these headers (to replay or tamper with a signed request). */
export const postRaw = async (
  url: string,
  body: string,
  contentType: string,
  headers: Record<string, string>,
): Promise<Delivery> => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType, ...headers },
    body,
  });
  const text = await response.text();
  return { status: response.status, body: text, json: () => JSON.parse(text) as unknown };
};

/** Delivers an interaction payload as Slack does: form-encoded and signed with the app's signing secret. */
export const postInteraction = (
  url: string,
  signingSecret: string,
  payload: unknown,
  options: DeliveryOptions = {},
): Promise<Delivery> => {
  const body = formEncodePayload(payload);
  const headers = options.headers ?? { ...signSlackRequest(signingSecret, body, options.timestamp) };
  return postRaw(url, body, 'application/x-www-form-urlencoded', headers);
};

/** Delivers an Events API envelope as Slack does: JSON and signed. */
export const postEvent = (
  url: string,
  signingSecret: string,
  envelope: unknown,
  options: DeliveryOptions = {},
): Promise<Delivery> => {
  const body = JSON.stringify(envelope);
  const headers = options.headers ?? { ...signSlackRequest(signingSecret, body, options.timestamp) };
  return postRaw(url, body, 'application/json', headers);
};
