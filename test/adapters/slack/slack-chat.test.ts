import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { SlackChat } from '../../../src/adapters/slack/index.js';
import { HubwardenError } from '../../../src/core/errors.js';
import { startSlackStandIn } from '../../standins/slack/index.js';
import type { SlackStandIn } from '../../standins/slack/index.js';
import { card, review, suppression } from './fixtures.js';

let standIn: SlackStandIn;
let chat: SlackChat;

beforeAll(async () => {
  standIn = await startSlackStandIn({
    users: [{ id: 'U0CAROL', email: 'carol@acme.example' }],
    channels: ['C0PAYMENTS', 'C0REVIEW', 'C0QUIET'],
    notInChannel: ['C0QUIET'],
  });
  chat = new SlackChat({ token: standIn.token, apiUrl: standIn.url });
});

beforeEach(() => {
  standIn.reset();
  standIn.setRateLimit(false);
});

afterAll(async () => {
  await standIn.close();
});

/** The error a call threw, for assertions on its classification. */
const failure = async (call: Promise<unknown>): Promise<HubwardenError> => {
  try {
    await call;
  } catch (error) {
    if (error instanceof HubwardenError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
};

describe('SlackChat messages', () => {
  it('posts one repository message and updates it in place', async () => {
    const ref = await chat.postRepositoryCard('C0PAYMENTS', card());
    expect(ref.channel).toBe('C0PAYMENTS');
    await chat.updateRepositoryCard(
      ref,
      card({ phase: 'fixed', actor: 'U0ALICE', at: '2025-03-01T10:00:00Z', actions: [] }),
    );
    expect(standIn.messages).toHaveLength(1);
    const message = standIn.message(ref.channel, ref.ts);
    expect(message?.versions).toHaveLength(2);
    expect(JSON.stringify(message?.versions[0]?.blocks)).toContain('hubwarden.fix');
    expect(JSON.stringify(message?.blocks)).toContain('Fixed by <@U0ALICE>');
    expect(JSON.stringify(message?.blocks)).not.toContain('hubwarden.fix');
    expect(message?.text).toContain('payments/api');
  });

  it('tells its own card for a repository from any other message a note could name', async () => {
    const own = await chat.postRepositoryCard('C0PAYMENTS', card());
    const other = await chat.postRepositoryCard(
      'C0PAYMENTS',
      card({ repository: { ...card().repository, key: 'repo-other', name: 'payments/other' } }),
    );
    const reviewMessage = await chat.postSuppressionReview('C0PAYMENTS', review());
    const key = card().repository.key;
    expect(await chat.isRepositoryCard(own, key)).toBe(true);
    expect(await chat.isRepositoryCard(other, key)).toBe(false);
    expect(await chat.isRepositoryCard(reviewMessage, key)).toBe(false);
    expect(await chat.isRepositoryCard({ channel: 'C0PAYMENTS', ts: '1.000001' }, key)).toBe(false);
    expect(await chat.isRepositoryCard({ channel: 'C0QUIET', ts: own.ts }, key)).toBe(false);
    expect(await chat.isRepositoryCard({ channel: 'C0NOWHERE', ts: own.ts }, key)).toBe(false);
  });

  it('reads what a repository card names at its timestamp: the key and, on newer cards, the ARN', async () => {
    const { key, arn } = card().repository;
    const own = await chat.postRepositoryCard('C0PAYMENTS', card());
    expect(standIn.message('C0PAYMENTS', own.ts)?.metadata).toEqual({
      event_type: 'hubwarden_repository',
      event_payload: { repository_key: key, repository_arn: arn },
    });
    await expect(chat.repositoryCardAt(own, key)).resolves.toEqual({
      repositoryKey: key,
      repositoryArn: arn,
    });
    await expect(chat.repositoryCardAt(own, 'repo-other')).resolves.toBeUndefined();
    const reviewMessage = await chat.postSuppressionReview('C0PAYMENTS', review());
    await expect(chat.repositoryCardAt(reviewMessage, key)).resolves.toBeUndefined();
    const client = new webApi.WebClient(standIn.token, { slackApiUrl: standIn.url });
    const old = await client.chat.postMessage({
      channel: 'C0PAYMENTS',
      text: 'older repository card',
      metadata: { event_type: 'hubwarden_repository', event_payload: { repository_key: key } },
    });
    await expect(chat.repositoryCardAt({ channel: 'C0PAYMENTS', ts: old.ts ?? '' }, key)).resolves.toEqual({
      repositoryKey: key,
      repositoryArn: undefined,
    });
  });

  it('opens a direct message once for an owner that is a person', async () => {
    const first = await chat.postRepositoryCard('U0CAROL', card());
    await chat.postSuppressionReview('U0CAROL', review());
    expect(first.channel).toBe(standIn.dmChannelOf('U0CAROL'));
    expect(standIn.messagesIn(first.channel)).toHaveLength(2);
    expect(standIn.calls['conversations.open']).toBe(1);
    await chat.updateRepositoryCard(first, card({ phase: 'passed', actions: [] }));
    expect(standIn.message(first.channel, first.ts)?.versions).toHaveLength(2);
  });

  it('posts and updates the review message', async () => {
    const ref = await chat.postSuppressionReview('C0REVIEW', review());
    await chat.updateSuppressionReview(ref, {
      ...review({ status: 'active', reviewedBy: 'U0SECLEAD' }),
      actions: ['revoke'],
    });
    const message = standIn.message('C0REVIEW', ref.ts);
    expect(JSON.stringify(message?.blocks)).toContain('approved by <@U0SECLEAD>');
    expect(JSON.stringify(message?.blocks)).not.toContain('hubwarden.approve');
  });

  it('tags the review message with its suppression, and finds it again by that tag', async () => {
    await chat.postRepositoryCard('C0REVIEW', card());
    const ref = await chat.postSuppressionReview('C0REVIEW', review());
    await chat.postSuppressionReview('C0REVIEW', review({ id: 'sother' }));
    await chat.notify('C0REVIEW', 'unrelated');
    await expect(chat.findSuppressionReview('C0REVIEW', review().suppression.id)).resolves.toEqual(ref);
    await expect(chat.findSuppressionReview('C0REVIEW', 'snone')).resolves.toBeUndefined();
  });

  it('checks the review message at a given timestamp, even one older than the history it searches', async () => {
    const ref = await chat.postSuppressionReview('C0REVIEW', review());
    for (let index = 0; index < 201; index += 1) await chat.notify('C0REVIEW', `later ${index}`);
    const before = standIn.calls['conversations.history'] ?? 0;
    await expect(chat.findSuppressionReview('C0REVIEW', review().suppression.id, ref.ts)).resolves.toEqual(
      ref,
    );
    expect((standIn.calls['conversations.history'] ?? 0) - before).toBe(1);
    // another suppression's card at that timestamp does not count, nor does a card out of reach
    await expect(chat.findSuppressionReview('C0REVIEW', 'sother', ref.ts)).resolves.toBeUndefined();
    await expect(chat.findSuppressionReview('C0REVIEW', review().suppression.id)).resolves.toBeUndefined();
  });

  it('reads what a review card names at its timestamp: its suppression and, on newer cards, the repository', async () => {
    const ref = await chat.postSuppressionReview('C0REVIEW', review());
    const { id, repository } = review().suppression;
    expect(standIn.message('C0REVIEW', ref.ts)?.metadata).toEqual({
      event_type: 'hubwarden_suppression_review',
      event_payload: { suppression_id: id, repository_key: repository.key, repository_arn: repository.arn },
    });
    await expect(chat.reviewCardAt(ref, id)).resolves.toEqual({
      suppressionId: id,
      repositoryArn: repository.arn,
    });
    await expect(chat.reviewCardAt(ref, 'sother')).resolves.toBeUndefined();
    const repositoryCard = await chat.postRepositoryCard('C0REVIEW', card());
    await expect(chat.reviewCardAt(repositoryCard, id)).resolves.toBeUndefined();
    await expect(chat.reviewCardAt({ channel: 'C0NOWHERE', ts: ref.ts }, id)).resolves.toBeUndefined();
    // a card posted before the metadata named the repository still names its suppression
    const client = new webApi.WebClient(standIn.token, { slackApiUrl: standIn.url });
    const old = await client.chat.postMessage({
      channel: 'C0REVIEW',
      text: 'older review card',
      metadata: { event_type: 'hubwarden_suppression_review', event_payload: { suppression_id: id } },
    });
    await expect(chat.reviewCardAt({ channel: 'C0REVIEW', ts: old.ts ?? '' }, id)).resolves.toEqual({
      suppressionId: id,
      repositoryArn: undefined,
    });
  });

  it('sends plain notices and ephemeral messages with the text shown as is', async () => {
    await chat.notify('U0CAROL', `Your suppression ended: ${suppression().justification} <!channel>`);
    await chat.notifyEphemeral('C0PAYMENTS', 'U0ALICE', 'Only owners may fix this. @here');
    const [notice] = standIn.messages;
    expect(notice?.text).not.toContain('<!channel>');
    expect(JSON.stringify(notice?.blocks)).toContain('<!channel>');
    expect(standIn.ephemerals).toEqual([expect.objectContaining({ channel: 'C0PAYMENTS', user: 'U0ALICE' })]);
    expect(standIn.ephemerals[0]?.text).not.toMatch(/@here/);
  });

  it('finds users by e-mail, and answers undefined for unknown addresses', async () => {
    await expect(chat.userIdByEmail('Carol@acme.example')).resolves.toBe('U0CAROL');
    await expect(chat.userIdByEmail('nobody@acme.example')).resolves.toBeUndefined();
  });

  it('says who its token is', async () => {
    await expect(chat.identity()).resolves.toEqual({
      teamId: 'T0STANDIN',
      userId: 'U0HUBWARDEN',
      botId: 'B0HUBWARDEN',
      scopes: expect.arrayContaining(['chat:write']),
    });
  });
});

describe('SlackChat errors', () => {
  it('classifies a 429 as rate-limited with the Retry-After delay, without retrying inside', async () => {
    standIn.inject('chat.postMessage', { status: 429, retryAfterSeconds: 7 });
    const error = await failure(chat.postRepositoryCard('C0PAYMENTS', card()));
    expect(error).toMatchObject({
      kind: 'rate-limited',
      code: 'slack.rate_limited',
      retryAfterMs: 7000,
      status: 429,
    });
    expect(standIn.calls['chat.postMessage']).toBe(1);
  });

  it('hits the per-channel rate limit like Slack does', async () => {
    standIn.setRateLimit({ perSecond: 1, burst: 2 });
    await chat.notify('C0PAYMENTS', 'one');
    await chat.notify('C0PAYMENTS', 'two');
    const error = await failure(chat.notify('C0PAYMENTS', 'three'));
    expect(error.kind).toBe('rate-limited');
    expect(error.retryAfterMs).toBeGreaterThanOrEqual(1000);
    await expect(chat.notify('C0REVIEW', 'other channel')).resolves.toMatchObject({ channel: 'C0REVIEW' });
  });

  it('classifies a 5xx as retryable, once', async () => {
    standIn.inject('chat.update', { status: 503 });
    const error = await failure(chat.updateRepositoryCard({ channel: 'C0PAYMENTS', ts: '1.000001' }, card()));
    expect(error).toMatchObject({ kind: 'retryable', code: 'slack.http_503', status: 503 });
    expect(standIn.calls['chat.update']).toBe(1);
  });

  it.each([
    [
      'a bad token',
      () => new SlackChat({ token: 'xoxb-wrong', apiUrl: standIn.url }).notify('C0PAYMENTS', 'x'),
      'slack.invalid_auth',
    ],
    ['an unknown channel', () => chat.notify('C0NOWHERE', 'x'), 'slack.channel_not_found'],
    ['a channel the bot is not in', () => chat.notify('C0QUIET', 'x'), 'slack.not_in_channel'],
    [
      'a vanished message',
      () => chat.updateRepositoryCard({ channel: 'C0PAYMENTS', ts: '9.9' }, card()),
      'slack.message_not_found',
    ],
  ])('classifies %s as permanent', async (_case, call, code) => {
    const error = await failure(call());
    expect(error).toMatchObject({ kind: 'permanent', code, service: 'slack' });
  });

  it('classifies an injected platform error by its code', async () => {
    standIn.inject('chat.postMessage', { error: 'internal_error' });
    const error = await failure(chat.notify('C0PAYMENTS', 'x'));
    expect(error).toMatchObject({ kind: 'retryable', code: 'slack.internal_error' });
  });
});
