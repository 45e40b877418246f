import { describe, expect, it } from 'vitest';
import { fakeClock } from '../../support/fake-clock.js';
import { ChannelRateLimitedChat } from '../../../src/adapters/slack/channel-rate-limit.js';
import type { Chat } from '../../../src/core/ports/chat.js';
import { isHubwardenError } from '../../../src/core/errors.js';

const recordingChat = () => {
  const posted: string[] = [];
  const chat = {
    notify: async (channel: string) => {
      posted.push(channel);
      return { channel, ts: String(posted.length) };
    },
  } as unknown as Chat; // only `notify` is exercised here
  return { chat, posted };
};

describe('ChannelRateLimitedChat', () => {
  it('keeps one bucket per channel: a busy channel waits, another goes at once', async () => {
    const { chat, posted } = recordingChat();
    const clock = fakeClock(0);
    const { slept } = clock;
    const limited = new ChannelRateLimitedChat(chat, { perSecond: 1, burst: 2, maxWaitMs: 5_000 }, clock);
    await limited.notify('C1', 'a');
    await limited.notify('C1', 'b');
    await limited.notify('C2', 'c');
    expect(slept).toEqual([]);
    await limited.notify('C1', 'd');
    expect(slept).toEqual([1_000]);
    expect(posted).toEqual(['C1', 'C1', 'C2', 'C1']);
  });

  it('refuses with a rate-limited error instead of waiting longer than maxWaitMs', async () => {
    const { chat, posted } = recordingChat();
    const clock = fakeClock(0);
    const limited = new ChannelRateLimitedChat(chat, { perSecond: 1, burst: 1, maxWaitMs: 500 }, clock);
    await limited.notify('C1', 'a');
    const error = await limited.notify('C1', 'b').catch((caught: unknown) => caught);
    expect(isHubwardenError(error) && error.kind === 'rate-limited' && error.retryAfterMs).toBe(1_000);
    expect(posted).toEqual(['C1']);
  });
});
