import { WebSocket } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startSlackStandIn } from '../../standins/slack/index.js';
import type { SlackStandIn } from '../../standins/slack/index.js';

let now = Date.now();
let standIn: SlackStandIn;

beforeAll(async () => {
  standIn = await startSlackStandIn({ now: () => now });
});

afterAll(async () => {
  await standIn.close();
});

const callJson = async (method: string, body: unknown, token: string | null = standIn.token) => {
  const response = await fetch(`${standIn.url}${method}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json; charset=utf-8',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

const modal = { type: 'modal', title: { type: 'plain_text', text: 'Title' }, blocks: [] };

describe('Slack stand-in wire format', () => {
  it('accepts form-encoded calls with the token in the body, as older clients send them', async () => {
    const response = await fetch(`${standIn.url}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: standIn.token, channel: 'C0ANY', text: 'hello' }).toString(),
    });
    expect(await response.json()).toMatchObject({ ok: true, channel: 'C0ANY' });
  });

  it('refuses a missing or wrong token like Slack', async () => {
    expect((await callJson('auth.test', {}, null)).body).toEqual({ ok: false, error: 'not_authed' });
    expect((await callJson('auth.test', {}, 'xoxb-nope')).body).toEqual({ ok: false, error: 'invalid_auth' });
  });

  it('refuses blocks Slack would refuse', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } }];
    const answer = await callJson('chat.postMessage', { channel: 'C0ANY', text: 'x', blocks });
    expect(answer.body).toMatchObject({ ok: false, error: 'invalid_blocks' });
  });

  it('lets a trigger open one view within 3 seconds', async () => {
    expect((await callJson('views.open', { trigger_id: 'made-up', view: modal })).body.error).toBe(
      'invalid_trigger_id',
    );
    const trigger = standIn.issueTriggerId();
    expect((await callJson('views.open', { trigger_id: trigger, view: modal })).body.ok).toBe(true);
    expect((await callJson('views.open', { trigger_id: trigger, view: modal })).body.error).toBe(
      'exchanged_trigger_id',
    );
    const late = standIn.issueTriggerId();
    now += 3000;
    expect((await callJson('views.open', { trigger_id: late, view: modal })).body.error).toBe(
      'expired_trigger_id',
    );
  });

  it('answers injected faults and counts calls per method', async () => {
    standIn.inject('auth.test', { status: 500 }, 2);
    expect((await callJson('auth.test', {})).status).toBe(500);
    expect((await callJson('auth.test', {})).status).toBe(500);
    expect((await callJson('auth.test', {})).body.ok).toBe(true);
    expect(standIn.calls['auth.test']).toBeGreaterThanOrEqual(3);
  });
});

describe('Slack stand-in Socket Mode', () => {
  const open = (token: string | null, body: unknown = {}) => callJson('apps.connections.open', body, token);

  /** A raw Socket Mode client on undici's WebSocket: the messages it received, and the socket. */
  const connect = async (wsUrl: string) => {
    const received: Record<string, unknown>[] = [];
    const socket = new WebSocket(wsUrl);
    socket.addEventListener('message', (event) => {
      received.push(JSON.parse(String(event.data)) as Record<string, unknown>);
    });
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve());
      socket.addEventListener('error', () => reject(new Error('WebSocket refused')));
    });
    return { socket, received };
  };

  it('hands out a WebSocket URL for the app-level token in the Authorization header only', async () => {
    expect((await open(standIn.token)).body).toEqual({ ok: false, error: 'not_allowed_token_type' });
    expect((await open(null, { token: standIn.appToken })).body).toEqual({ ok: false, error: 'not_authed' });
    expect((await open('xapp-1-A0OTHER-unknown')).body).toEqual({ ok: false, error: 'invalid_auth' });
    const opened = await open(standIn.appToken);
    expect(opened.body).toMatchObject({
      ok: true,
      url: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=/),
    });
    // the app-level token opens connections and nothing else
    expect(
      (await callJson('chat.postMessage', { channel: 'C0ANY', text: 'x' }, standIn.appToken)).body,
    ).toEqual({
      ok: false,
      error: 'not_allowed_token_type',
    });
  });

  it('greets with hello, takes a ticket once, and resolves a delivery with its acknowledgement', async () => {
    const { url } = (await open(standIn.appToken)).body as { url: string };
    const { socket, received } = await connect(url);
    await standIn.socketMode.connected(1);
    await expect(connect(url)).rejects.toThrow('refused');
    expect(standIn.socketMode.refusedUpgrades).toBeGreaterThan(0);
    const delivery = standIn.socketMode.deliver('interactive', { type: 'block_actions' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const [hello, envelope] = received;
    expect(hello).toMatchObject({
      type: 'hello',
      num_connections: 1,
      connection_info: { app_id: 'A0HUBWARDEN' },
    });
    expect(envelope).toMatchObject({
      type: 'interactive',
      payload: { type: 'block_actions' },
      accepts_response_payload: true,
      envelope_id: expect.any(String),
    });
    socket.send(JSON.stringify({ envelope_id: 'not-an-outstanding-envelope' }));
    socket.send(
      JSON.stringify({ envelope_id: envelope?.['envelope_id'], payload: { response_action: 'clear' } }),
    );
    const ack = await delivery;
    expect(ack.payload).toEqual({ response_action: 'clear' });
    expect(standIn.socketMode.strays).toEqual([
      JSON.stringify({ envelope_id: 'not-an-outstanding-envelope' }),
    ]);

    // an envelope nobody acknowledges fails after Slack's 3 seconds
    await expect(standIn.socketMode.deliver('events_api', { type: 'event_callback' })).rejects.toThrow(
      /not acknowledged within 3000 ms/,
    );
    socket.close();
  }, 10_000);
});
