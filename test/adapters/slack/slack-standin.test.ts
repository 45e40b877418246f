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
