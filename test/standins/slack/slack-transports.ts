import type { Delivery } from './slack-payloads.js';
import { postEvent, postInteraction } from './slack-payloads.js';
import type { SlackStandIn } from './slack-standin.js';
import type { SocketAck } from './socket-mode.js';

/** The two ways Slack delivers interactions and events to an app. */
export type SlackTransport = 'http' | 'socket';
export const SLACK_TRANSPORTS: readonly SlackTransport[] = ['http', 'socket'];

/** Delivers a payload the way one transport does and answers with what Slack got back. */
export interface SlackDelivery {
  /** block_actions, view_submission… (HTTP: form-encoded and signed; Socket Mode: an `interactive` envelope) */
  interaction(payload: unknown): Promise<Delivery>;
  /** an Events API `event_callback` (HTTP: JSON and signed; Socket Mode: an `events_api` envelope) */
  event(envelope: unknown): Promise<Delivery>;
}

export const httpDelivery = (url: string, signingSecret: string): SlackDelivery => ({
  interaction: (payload) => postInteraction(url, signingSecret, payload),
  event: (envelope) => postEvent(url, signingSecret, envelope),
});

/**
 * Over Socket Mode the acknowledgement plays the HTTP answer's part: an empty payload is an empty 200, a
 * payload (modal errors) is the body. No acknowledgement within 3 seconds rejects, as Slack gives up.
 */
export const socketDelivery = (standIn: SlackStandIn): SlackDelivery => {
  const asDelivery = (ack: SocketAck): Delivery => {
    const body = ack.payload && Object.keys(ack.payload).length > 0 ? JSON.stringify(ack.payload) : '';
    return { status: 200, body, json: () => JSON.parse(body) as unknown };
  };
  return {
    interaction: async (payload) => asDelivery(await standIn.socketMode.deliver('interactive', payload)),
    event: async (envelope) => asDelivery(await standIn.socketMode.deliver('events_api', envelope)),
  };
};
