import { describe, expect, it } from 'vitest';
import { HubwardenError } from '../../src/core/errors.js';
import { cardHash, ensureMessage } from '../../src/core/messages/ensure-message.js';
import type { MessageRef, RepositoryCard } from '../../src/core/ports/chat.js';
import { silentLogger } from '../../src/core/ports/logger.js';
import type { MessageRecord } from '../../src/core/ports/state-store.js';
import { FakeChat, findingOf } from '../support/fake-ports.js';
import { MemoryStateStore } from '../support/memory-state-store.js';
import { owner } from './pipeline-harness.js';

const card = (over: Partial<RepositoryCard> = {}): RepositoryCard => ({
  repository: findingOf({ accountId: '111111111111', region: 'eu-west-1', repositoryName: 'a' }).repository,
  owner: { owner: owner('payments'), rule: 'tag', detail: 'tag Owner=payments' },
  ticket: { key: 'SEC-1', url: 'https://jira/SEC-1' },
  risks: [],
  phase: 'failing',
  actor: undefined,
  at: undefined,
  reason: undefined,
  suppression: undefined,
  actions: ['fix', 'suppress'],
  ...over,
});

describe('ensureMessage', () => {
  it('posts once, then updates in place only when the card changed', async () => {
    const chat = new FakeChat();
    const saved: MessageRecord[] = [];
    const save = async (record: MessageRecord) => void saved.push(record);
    const deps = { chat, state: new MemoryStateStore(), log: silentLogger };

    const posted = await ensureMessage(deps, { record: undefined, channel: 'C0PAY', card: card(), save });
    expect(posted.outcome).toBe('posted');
    expect(saved).toEqual([posted.record]);
    expect(posted.record).toMatchObject({ channel: 'C0PAY', contentHash: cardHash(card()) });

    const same = await ensureMessage(deps, { record: posted.record, channel: 'C0PAY', card: card(), save });
    expect(same.outcome).toBe('unchanged');

    const changed = await ensureMessage(deps, {
      record: posted.record,
      channel: 'C0OTHER',
      card: card({ phase: 'passed', actions: [] }),
      save,
    });
    expect(changed.outcome).toBe('updated');
    expect(changed.record).toMatchObject({ channel: 'C0PAY', ts: posted.record?.ts });
    expect(chat.writes().map((call) => call.method)).toEqual(['postRepositoryCard', 'updateRepositoryCard']);
  });

  it('posts nothing without a channel', async () => {
    const chat = new FakeChat();
    const result = await ensureMessage(
      { chat, state: new MemoryStateStore(), log: silentLogger },
      { record: undefined, channel: undefined, card: card(), save: async () => undefined },
    );
    expect(result).toEqual({ record: undefined, outcome: 'none' });
    expect(chat.calls).toEqual([]);
  });

  it('finds a message whose post answer was lost and updates it instead of posting a second one', async () => {
    const chat = new FakeChat();
    const deps = { chat, state: new MemoryStateStore(), log: silentLogger };
    const saved: MessageRecord[] = [];
    const save = async (record: MessageRecord) => void saved.push(record);
    // First attempt: Slack took the post, the answer never came back (the worker died).
    await chat.postRepositoryCard('C0PAY', card());
    await deps.state.claim(`post-card:${card().repository.key}`, 60_000);

    const retried = await ensureMessage(deps, { record: undefined, channel: 'C0PAY', card: card(), save });
    expect(retried.outcome).toBe('updated');
    expect(chat.writes().map((call) => call.method)).toEqual(['postRepositoryCard', 'updateRepositoryCard']);
    expect(saved).toEqual([retried.record]);
  });

  it('after a post refused for rate, posts again without reading the channel history', async () => {
    const refusal = new HubwardenError('channel at its message rate', {
      kind: 'rate-limited',
      code: 'slack.channel_rate',
      service: 'slack',
      retryAfterMs: 6_000,
    });
    const chat = new RefusingChat([refusal]);
    const deps = { chat, state: new MemoryStateStore(), log: silentLogger };
    const save = async () => undefined;
    await expect(
      ensureMessage(deps, { record: undefined, channel: 'C0PAY', card: card(), save }),
    ).rejects.toBe(refusal);

    const retried = await ensureMessage(deps, { record: undefined, channel: 'C0PAY', card: card(), save });
    expect(retried.outcome).toBe('posted');
    expect(chat.calls.map((call) => call.method)).toEqual(['postRepositoryCard']);
  });

  it('after a post whose outcome is unknown (timeout), reads the channel history before posting', async () => {
    const chat = new RefusingChat([new Error('socket hang up')]);
    const deps = { chat, state: new MemoryStateStore(), log: silentLogger };
    const save = async () => undefined;
    await expect(
      ensureMessage(deps, { record: undefined, channel: 'C0PAY', card: card(), save }),
    ).rejects.toThrow('socket hang up');

    const retried = await ensureMessage(deps, { record: undefined, channel: 'C0PAY', card: card(), save });
    expect(retried.outcome).toBe('posted');
    expect(chat.calls.map((call) => call.method)).toEqual(['findRepositoryCard', 'postRepositoryCard']);
  });
});

/** Refuses its first posts with the given errors, before anything reaches the channel. */
class RefusingChat extends FakeChat {
  readonly #refusals: Error[];

  constructor(refusals: Error[]) {
    super();
    this.#refusals = [...refusals];
  }

  override async postRepositoryCard(channel: string, posted: RepositoryCard): Promise<MessageRef> {
    const refusal = this.#refusals.shift();
    if (refusal) throw refusal;
    return super.postRepositoryCard(channel, posted);
  }
}
