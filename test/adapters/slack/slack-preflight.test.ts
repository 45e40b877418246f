import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SlackChat } from '../../../src/adapters/slack/index.js';
import { startSlackStandIn, type SlackStandIn } from '../../standins/slack/index.js';
import { card } from './fixtures.js';

describe('what Slack tells check-config: scopes and channel membership', () => {
  let full: SlackStandIn;
  let narrow: SlackStandIn;

  beforeAll(async () => {
    const channels = ['C0PAYMENTS', 'C0QUIET', 'G0PRIVATE', 'G0HIDDEN'];
    full = await startSlackStandIn({ channels, notInChannel: ['C0QUIET', 'G0HIDDEN'] });
    narrow = await startSlackStandIn({
      channels,
      notInChannel: ['C0QUIET', 'G0HIDDEN'],
      scopes: ['chat:write', 'chat:write.public'],
    });
  });
  afterAll(async () => {
    await Promise.all([full.close(), narrow.close()]);
  });

  const chatOf = (standIn: SlackStandIn) => new SlackChat({ token: standIn.token, apiUrl: standIn.url });

  it('auth.test reports the token scopes (x-oauth-scopes)', async () => {
    expect((await chatOf(narrow).identity()).scopes).toEqual(['chat:write', 'chat:write.public']);
    expect((await chatOf(full).identity()).scopes).toContain('users:read.email');
  });

  it('conversations.info says whether the bot is a member; a private channel without it does not exist', async () => {
    const chat = chatOf(full);
    expect(await chat.channelInfo('C0PAYMENTS')).toMatchObject({ isMember: true, isPrivate: false });
    expect(await chat.channelInfo('C0QUIET')).toMatchObject({ isMember: false, isPrivate: false });
    expect(await chat.channelInfo('G0PRIVATE')).toMatchObject({ isMember: true, isPrivate: true });
    await expect(chat.channelInfo('G0HIDDEN')).rejects.toMatchObject({ code: 'slack.channel_not_found' });
    await expect(chat.channelInfo('C0NOWHERE')).rejects.toMatchObject({ code: 'slack.channel_not_found' });
  });

  it('a method whose scope the token lacks answers missing_scope', async () => {
    await expect(chatOf(narrow).channelInfo('C0PAYMENTS')).rejects.toMatchObject({
      code: 'slack.missing_scope',
    });
    const answer = await fetch(`${narrow.url}users.lookupByEmail`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${narrow.token}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: 'email=a%40example.com',
    });
    expect(answer.headers.get('x-oauth-scopes')).toBe('chat:write,chat:write.public');
    expect(await answer.json()).toEqual({
      ok: false,
      error: 'missing_scope',
      needed: 'users:read.email',
      provided: 'chat:write,chat:write.public',
    });
  });

  it('chat:write.public posts in a public channel the bot has not joined, never in a private one', async () => {
    await expect(chatOf(full).postRepositoryCard('C0QUIET', card())).rejects.toMatchObject({
      code: 'slack.not_in_channel',
    });
    await expect(chatOf(narrow).postRepositoryCard('C0QUIET', card())).resolves.toMatchObject({
      channel: 'C0QUIET',
    });
    await expect(chatOf(narrow).postRepositoryCard('G0HIDDEN', card())).rejects.toMatchObject({
      code: 'slack.not_in_channel',
    });
  });
});
