import { describe, expect, it } from 'vitest';
import { fakeClock } from '../../support/fake-clock.js';
import { ChannelRateLimitedChat } from '../../../src/adapters/slack/channel-rate-limit.js';
import type { Chat } from '../../../src/core/ports/chat.js';
import { HubwardenError, isHubwardenError } from '../../../src/core/errors.js';
import { inMemoryBudgets } from '../../../src/shared/token-bucket.js';

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

  it('pauses a channel for every caller when Slack answers 429 anyway, and leaves other channels alone', async () => {
    const posted: string[] = [];
    let calls = 0;
    const chat = {
      notify: async (channel: string) => {
        calls += 1;
        if (calls === 1) {
          throw new HubwardenError('ratelimited', {
            kind: 'rate-limited',
            code: 'slack.rate_limited',
            service: 'slack',
            retryAfterMs: 3_000,
          });
        }
        posted.push(channel);
        return { channel, ts: String(calls) };
      },
    } as unknown as Chat; // only `notify` is exercised here
    const clock = fakeClock(0);
    const { slept } = clock;
    // two "processes" sharing the channel budgets, as they do through Redis
    const budgets = inMemoryBudgets(clock);
    const rate = { perSecond: 1, burst: 3, maxWaitMs: 5_000 };
    const first = new ChannelRateLimitedChat(chat, rate, clock, budgets);
    const second = new ChannelRateLimitedChat(chat, rate, clock, budgets);
    await expect(first.notify('C1', 'a')).rejects.toMatchObject({ code: 'slack.rate_limited' });
    await second.notify('C2', 'b');
    expect(slept).toEqual([]);
    await second.notify('C1', 'c');
    expect(slept[0]).toBeGreaterThanOrEqual(3_000);
    expect(posted).toEqual(['C2', 'C1']);
  });
});
