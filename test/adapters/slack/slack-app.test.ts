import { createServer, request as httpRequest } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { createSlackApp } from '../../../src/adapters/slack/index.js';
import type { SlackApp } from '../../../src/adapters/slack/index.js';
import {
  buildAppHomeOpenedEvent,
  buildBlockActionsPayload,
  buildViewSubmissionPayload,
  datepickerValue,
  formEncodePayload,
  httpDelivery,
  plainTextInputValue,
  postEvent,
  postInteraction,
  postRaw,
  signSlackRequest,
  SLACK_TRANSPORTS,
  socketDelivery,
  startSlackStandIn,
} from '../../standins/slack/index.js';
import type { SlackDelivery, SlackStandIn, SlackTransport } from '../../standins/slack/index.js';
import { FakeInteractions } from './fake-interactions.js';
import { HOSTILE, repository, suppression } from './fixtures.js';
import { waitFor } from '../../support/wait-for.js';

const SECRET = 'test-signing-secret-0123456789';
const REVIEW_CHANNEL = 'C0REVIEW';
const CHANNEL = 'C0PAYMENTS';
const MESSAGE_TS = '1700000000.000100';

let standIn: SlackStandIn;
let standInNow = Date.now();
let server: Server;
let url: string;
let socketApp: SlackApp;
const interactions = new FakeInteractions();
const inflight = new Set<Promise<unknown>>();
const deliveries = {} as Record<SlackTransport, SlackDelivery>;

/** Waits until every delivery either app received has finished its listeners. */
const settled = async (): Promise<void> => {
  while (inflight.size > 0) await Promise.allSettled([...inflight]);
};

/** The same app over either transport; a global middleware tracks when its listeners are done. */
const slackAppOver = (transport: SlackTransport): SlackApp => {
  const slack = createSlackApp({
    ...(transport === 'http' ? { signingSecret: SECRET } : { appToken: standIn.appToken }),
    token: standIn.token,
    apiUrl: standIn.url,
    interactions,
    reviewChannel: REVIEW_CHANNEL,
    submissionDeadlineMs: 200,
  });
  slack.app.use(async ({ next }) => {
    const run = next();
    inflight.add(run);
    await run.finally(() => inflight.delete(run));
  });
  return slack;
};

beforeAll(async () => {
  standIn = await startSlackStandIn({ now: () => standInNow });
  const listener = slackAppOver('http').requestListener;
  if (!listener) throw new Error('the HTTP transport has a request listener');
  server = createServer((req, res) => {
    if (req.url !== '/slack/events') {
      res.writeHead(404).end();
      return;
    }
    const run = listener(req, res).finally(() => inflight.delete(run));
    inflight.add(run);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  socketApp = slackAppOver('socket');
  await socketApp.start();
  deliveries.http = httpDelivery(url, SECRET);
  deliveries.socket = socketDelivery(standIn);
});

beforeEach(() => {
  interactions.reset();
  standInNow = Date.now();
  standIn.reset();
});

afterAll(async () => {
  await settled();
  await socketApp.stop();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await standIn.close();
});

const press = (actionId: string, value = repository.key, channelId = CHANNEL, userId = 'U0ALICE') =>
  buildBlockActionsPayload({
    actionId,
    value,
    userId,
    channelId,
    messageTs: MESSAGE_TS,
    triggerId: standIn.issueTriggerId(),
  });

const ephemeralsFor = (user: string) => standIn.ephemerals.filter((ephemeral) => ephemeral.user === user);

describe('request verification', () => {
  it('routes a request signed like Slack signs it', async () => {
    const response = await postInteraction(url, SECRET, press('hubwarden.fix'));
    await settled();
    expect(response.status).toBe(200);
    expect(interactions.calls).toEqual([
      {
        method: 'fix',
        argument: {
          actor: 'U0ALICE',
          channel: CHANNEL,
          messageTs: MESSAGE_TS,
          claimedRepositoryKey: repository.key,
        },
      },
    ]);
  });

  it.each([
    ['unsigned', () => ({})],
    ['signed with another secret', (body: string) => ({ ...signSlackRequest('not-the-secret', body) })],
    [
      'signed more than 5 minutes ago',
      (body: string) => ({ ...signSlackRequest(SECRET, body, Math.floor(Date.now() / 1000) - 301) }),
    ],
    [
      'signed more than 5 minutes ahead',
      (body: string) => ({ ...signSlackRequest(SECRET, body, Math.floor(Date.now() / 1000) + 301) }),
    ],
    [
      'with a malformed signature',
      () => ({ 'x-slack-signature': 'v0', 'x-slack-request-timestamp': 'soon' }),
    ],
  ])('refuses a request %s with 401, and nothing happens', async (_case, headersFor) => {
    const body = formEncodePayload(press('hubwarden.fix'));
    const response = await postRaw(url, body, 'application/x-www-form-urlencoded', headersFor(body));
    await settled();
    expect(response.status).toBe(401);
    expect(interactions.calls).toEqual([]);
    expect(standIn.ephemerals).toHaveLength(0);
  });

  it('refuses a replayed request whose body was altered', async () => {
    const original = formEncodePayload(press('hubwarden.fix'));
    const headers = { ...signSlackRequest(SECRET, original) };
    const altered = formEncodePayload(press('hubwarden.fix', 'another-repository', CHANNEL, 'U0MALLORY'));
    const response = await postRaw(url, altered, 'application/x-www-form-urlencoded', headers);
    await settled();
    expect(response.status).toBe(401);
    expect(interactions.calls).toEqual([]);
  });

  it('answers a replay of a signed request 200 and does nothing (same signature within the window)', async () => {
    const body = formEncodePayload(press('hubwarden.fix'));
    const headers = { ...signSlackRequest(SECRET, body) };
    const first = await postRaw(url, body, 'application/x-www-form-urlencoded', headers);
    await settled();
    const replay = await postRaw(url, body, 'application/x-www-form-urlencoded', headers);
    await settled();
    expect([first.status, replay.status]).toEqual([200, 200]);
    expect(interactions.calls.map((call) => call.method)).toEqual(['fix']);
    expect(ephemeralsFor('U0ALICE')).toHaveLength(1);
  });

  it('answers Slack’s own retries (X-Slack-Retry-Num) 200 and does nothing', async () => {
    const body = formEncodePayload(press('hubwarden.fix'));
    const retried = await postRaw(url, body, 'application/x-www-form-urlencoded', {
      ...signSlackRequest(SECRET, body),
      'x-slack-retry-num': '1',
      'x-slack-retry-reason': 'http_timeout',
    });
    const envelope = buildAppHomeOpenedEvent('U0SECLEAD');
    const event = await postEvent(url, SECRET, envelope, {
      headers: {
        ...signSlackRequest(SECRET, JSON.stringify(envelope)),
        'x-slack-retry-num': '2',
      },
    });
    await settled();
    expect([retried.status, event.status]).toEqual([200, 200]);
    expect(interactions.calls).toEqual([]);
  });

  it('refuses a body over 64 KiB with 413, and nothing happens', async () => {
    const payload = { ...press('hubwarden.fix'), padding: 'x'.repeat(64 * 1024) };
    const response = await postInteraction(url, SECRET, payload);
    await settled();
    expect(response.status).toBe(413);
    expect(interactions.calls).toEqual([]);
  });

  it.each([
    ['unsigned', 401, () => ({})],
    [
      'signed too long ago',
      401,
      () => ({ ...signSlackRequest(SECRET, '', Math.floor(Date.now() / 1000) - 600) }),
    ],
    ['declaring more than 64 KiB', 413, () => ({ ...signSlackRequest(SECRET, 'payload=') })],
  ])(
    'answers a request %s from its headers alone, before its body has arrived',
    async (_case, status, headersFor) => {
      const target = new URL(url);
      const answered = await new Promise<number>((resolve, reject) => {
        const request = httpRequest(
          {
            host: target.hostname,
            port: target.port,
            path: target.pathname,
            method: 'POST',
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              'content-length': String(10 * 1024 * 1024),
              ...headersFor(),
            },
          },
          (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
            request.destroy();
          },
        );
        request.on('error', reject);
        // the body starts but never finishes: only a server judging the headers first can answer
        request.write('payload=');
      });
      await settled();
      expect(answered).toBe(status);
      expect(interactions.calls).toEqual([]);
    },
  );

  it('answers Slack’s url_verification challenge when signed', async () => {
    const response = await postEvent(url, SECRET, {
      type: 'url_verification',
      challenge: 'c-123',
      token: 't',
    });
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({ challenge: 'c-123' });
  });
});

describe.each(SLACK_TRANSPORTS)('over %s', (transport) => {
  let via: SlackDelivery;
  beforeEach(() => {
    via = deliveries[transport];
  });

  describe('hubwarden.fix', () => {
    it('acknowledges before the use case finishes', async () => {
      let open: () => void = () => {};
      interactions.gate = new Promise((resolve) => (open = resolve));
      try {
        const response = await via.interaction(press('hubwarden.fix'));
        // the HTTP answer arrived while the use case is still held
        expect(response.status).toBe(200);
        expect(interactions.calls.map((call) => call.method)).toEqual(['fix']);
        expect(standIn.ephemerals).toHaveLength(0);
      } finally {
        open();
      }
      await settled();
      expect(ephemeralsFor('U0ALICE')).toHaveLength(1);
    });

    it('posts the refusal as an ephemeral message to the person who pressed', async () => {
      interactions.fixOutcome = {
        ok: false,
        reason: 'Only payments owners or security reviewers may fix this.',
      };
      await via.interaction(press('hubwarden.fix', repository.key, CHANNEL, 'U0MALLORY'));
      await settled();
      const posted = standIn.ephemerals;
      expect(posted).toHaveLength(1);
      expect(posted[0]).toMatchObject({ channel: CHANNEL, user: 'U0MALLORY' });
      expect(JSON.stringify(posted[0]?.blocks)).toContain(
        'Only payments owners or security reviewers may fix this.',
      );
      expect(standIn.messages).toHaveLength(0);
    });
  });

  describe('hubwarden.suppress', () => {
    it('opens the modal with the fixed callback, block and action ids', async () => {
      const payload = press('hubwarden.suppress');
      const response = await via.interaction(payload);
      await settled();
      expect(response.status).toBe(200);
      expect(interactions.calls.map((call) => call.method)).toEqual(['suppressForm']);
      const opened = standIn.views.at(-1);
      expect(opened?.triggerId).toBe(payload.trigger_id);
      const view = opened?.view as {
        callback_id: string;
        private_metadata: string;
        blocks: { type: string; block_id?: string; optional?: boolean; element?: Record<string, unknown> }[];
      };
      expect(view.callback_id).toBe('hubwarden.suppress');
      expect(JSON.parse(view.private_metadata)).toEqual({
        channel: CHANNEL,
        messageTs: MESSAGE_TS,
        repositoryKey: repository.key,
        formToken: 'form-token-0001',
      });
      const justification = view.blocks.find((block) => block.block_id === 'justification');
      expect(justification?.type).toBe('input');
      expect(justification?.element).toMatchObject({
        type: 'plain_text_input',
        action_id: 'value',
        multiline: true,
        max_length: 2000,
      });
      const expires = view.blocks.find((block) => block.block_id === 'expires');
      expect(expires).toMatchObject({ type: 'input', optional: true });
      expect(expires?.element).toMatchObject({
        type: 'datepicker',
        action_id: 'value',
        initial_date: '2025-03-31',
      });
    });

    it('tells the person when the trigger expired before the modal could open', async () => {
      const payload = press('hubwarden.suppress');
      standInNow += 3_500;
      await via.interaction(payload);
      await settled();
      expect(standIn.views.some((view) => view.triggerId === payload.trigger_id)).toBe(false);
      expect(JSON.stringify(ephemeralsFor('U0ALICE').at(-1)?.blocks)).toContain(
        'could not be opened in time',
      );
    });

    it('refuses with an ephemeral message and opens nothing', async () => {
      interactions.formOutcome = { ok: false, reason: 'You are not an owner of payments/api.' };
      await via.interaction(press('hubwarden.suppress', repository.key, CHANNEL, 'U0EVE'));
      await settled();
      expect(standIn.views).toHaveLength(0);
      expect(JSON.stringify(ephemeralsFor('U0EVE').at(-1)?.blocks)).toContain('You are not an owner');
    });
  });

  describe('Suppress modal submission', () => {
    const submit = (justification: string | null, expires: string | null) =>
      via.interaction(
        buildViewSubmissionPayload({
          callbackId: 'hubwarden.suppress',
          privateMetadata: JSON.stringify({
            channel: CHANNEL,
            messageTs: MESSAGE_TS,
            repositoryKey: repository.key,
            formToken: 'form-token-0001',
          }),
          userId: 'U0ALICE',
          values: {
            justification: { value: plainTextInputValue(justification) },
            expires: { value: datepickerValue(expires) },
          },
          viewId: 'V0SUPPRESS1',
        }),
      );

    it('passes the fields and closes the modal when accepted', async () => {
      const response = await submit('Legacy job re-tags latest until the Q2 migration.', '2025-03-15');
      await settled();
      expect(response.status).toBe(200);
      expect(response.body).toBe('');
      expect(interactions.calls).toEqual([
        {
          method: 'submitSuppression',
          argument: {
            actor: 'U0ALICE',
            channel: CHANNEL,
            messageTs: MESSAGE_TS,
            claimedRepositoryKey: repository.key,
            justification: 'Legacy job re-tags latest until the Q2 migration.',
            expires: '2025-03-15',
            formToken: 'form-token-0001',
            viewId: 'V0SUPPRESS1',
          },
        },
      ]);
      expect(JSON.stringify(ephemeralsFor('U0ALICE').at(-1)?.blocks)).toContain(
        'Suppressed until 2025-03-31.',
      );
    });

    it('passes no date when the datepicker was cleared', async () => {
      await submit('Legacy job re-tags latest until the Q2 migration.', null);
      await settled();
      expect(interactions.calls[0]).toMatchObject({
        method: 'submitSuppression',
        argument: { expires: undefined },
      });
    });

    it('answers field errors with response_action errors', async () => {
      interactions.submissionOutcome = {
        ok: false,
        fieldErrors: { justification: 'At least 20 characters.', expires: 'At most 90 days.' },
      };
      const response = await submit('too short', '2030-01-01');
      expect(response.status).toBe(200);
      expect(response.json()).toEqual({
        response_action: 'errors',
        errors: { justification: 'At least 20 characters.', expires: 'At most 90 days.' },
      });
    });

    it('shows a refusal on the justification block', async () => {
      interactions.submissionOutcome = { ok: false, reason: 'You may not suppress this repository.' };
      const response = await submit('Legacy job re-tags latest until the Q2 migration.', null);
      expect(response.json()).toEqual({
        response_action: 'errors',
        errors: { justification: 'You may not suppress this repository.' },
      });
    });

    it('closes the modal in time when the core is slow, and reports the outcome afterwards', async () => {
      let open: () => void = () => {};
      interactions.gate = new Promise((resolve) => (open = resolve));
      try {
        const response = await submit('Legacy job re-tags latest until the Q2 migration.', null);
        expect(response.status).toBe(200);
        expect(response.body).toBe('');
        expect(standIn.ephemerals).toHaveLength(0);
      } finally {
        open();
      }
      await settled();
      expect(JSON.stringify(ephemeralsFor('U0ALICE')[0]?.blocks)).toContain('Suppressed until 2025-03-31.');
    });
  });

  describe('review buttons', () => {
    it.each(['approve', 'revoke'] as const)(
      'routes hubwarden.%s with the suppression id',
      async (decision) => {
        await via.interaction(press(`hubwarden.${decision}`, 'sup-0001', REVIEW_CHANNEL, 'U0SECLEAD'));
        await settled();
        expect(interactions.calls).toEqual([
          {
            method: decision,
            argument: {
              actor: 'U0SECLEAD',
              suppressionId: 'sup-0001',
              channel: REVIEW_CHANNEL,
              messageTs: MESSAGE_TS,
            },
          },
        ]);
      },
    );

    it('posts a refusal ephemerally', async () => {
      interactions.reviewOutcome = { ok: false, reason: 'Only security reviewers may approve.' };
      await via.interaction(press('hubwarden.approve', 'sup-0001', REVIEW_CHANNEL, 'U0BOB'));
      await settled();
      expect(ephemeralsFor('U0BOB').at(-1)).toMatchObject({ channel: REVIEW_CHANNEL });
      expect(JSON.stringify(ephemeralsFor('U0BOB').at(-1)?.blocks)).toContain(
        'Only security reviewers may approve.',
      );
    });

    it('ignores review buttons outside the review channel', async () => {
      await via.interaction(press('hubwarden.approve', 'sup-0001', CHANNEL, 'U0SECLEAD'));
      await settled();
      expect(interactions.calls).toEqual([]);
    });
  });

  describe('Home tab', () => {
    it('publishes pending and active suppressions for a reviewer, justification escaped', async () => {
      interactions.homeOutcome = {
        reviewer: true,
        pending: [suppression({ justification: HOSTILE })],
        active: [suppression({ id: 'sup-0002', status: 'active', reviewedBy: 'U0SECOPS' })],
      };
      const response = await via.event(buildAppHomeOpenedEvent('U0SECLEAD'));
      await settled();
      expect(response.status).toBe(200);
      expect(interactions.calls).toEqual([{ method: 'home', argument: 'U0SECLEAD' }]);
      const home = standIn.homeOf('U0SECLEAD') as {
        type: string;
        blocks: { text?: { type: string; text: string } }[];
      };
      expect(home.type).toBe('home');
      const texts = home.blocks.flatMap((block) => (block.text ? [block.text] : []));
      expect(texts.some((text) => text.type === 'plain_text' && text.text.includes('<!channel>'))).toBe(true);
      expect(
        texts.filter((text) => text.type === 'mrkdwn').some((text) => text.text.includes('<!channel>')),
      ).toBe(false);
      expect(JSON.stringify(home)).toContain('<@U0ALICE>');
    });

    it('explains hubwarden to everyone else', async () => {
      await via.event(buildAppHomeOpenedEvent('U0NEWBIE'));
      await settled();
      expect(JSON.stringify(standIn.homeOf('U0NEWBIE'))).toContain('keeps ECR repositories');
    });
  });
});

describe('Socket Mode', () => {
  it('acknowledges every envelope by its envelope_id within 3 seconds and sends nothing else', async () => {
    await deliveries.socket.interaction(press('hubwarden.fix'));
    await deliveries.socket.event(buildAppHomeOpenedEvent('U0NEWBIE'));
    await settled();
    expect(standIn.socketMode.acks).toHaveLength(2);
    expect(standIn.socketMode.acks.every((ack) => ack.afterMs < 3000)).toBe(true);
    expect(standIn.socketMode.strays).toEqual([]);
    expect(interactions.calls.map((call) => call.method)).toEqual(['fix', 'home']);
  });

  it('does not start with an app token Slack does not know', async () => {
    const stranger = createSlackApp({
      appToken: 'xapp-1-A0OTHER-not-this-app',
      token: standIn.token,
      apiUrl: standIn.url,
      interactions,
      reviewChannel: REVIEW_CHANNEL,
    });
    const opened = standIn.socketMode.opened;
    await expect(stranger.start()).rejects.toThrow(/invalid_auth/);
    expect(standIn.socketMode.opened).toBe(opened);
    expect(standIn.socketMode.connections).toBe(1);
  });

  it('reconnects when Slack refreshes the connection, and keeps serving', async () => {
    const opened = standIn.socketMode.opened;
    standIn.socketMode.disconnect('refresh_requested');
    await waitFor('a new connection', () => standIn.socketMode.opened > opened, 15_000);
    await standIn.socketMode.connected(1);
    const answer = await deliveries.socket.interaction(press('hubwarden.fix'));
    await settled();
    expect(answer.status).toBe(200);
    expect(interactions.calls.map((call) => call.method)).toEqual(['fix']);
  }, 20_000);
});
