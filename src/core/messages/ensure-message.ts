import { releaseClaimIfRefused } from '../claims.js';
import { digestOf } from '../hash.js';
import type { Chat, RepositoryCard } from '../ports/chat.js';
import type { Logger } from '../ports/logger.js';
import type { MessageRecord, StateStore } from '../ports/state-store.js';

/** How long an attempt to post a repository's message is remembered. */
const POST_MEMORY_MS = 24 * 3_600_000;

export type MessageOutcome = 'posted' | 'updated' | 'unchanged' | 'none';

/** The card's digest ignores nothing people see, so equal digests mean an identical message. */
export const cardHash = (card: RepositoryCard): string =>
  // Where the review message lives is not shown on the repository card.
  digestOf({
    ...card,
    suppression: card.suppression && {
      ...card.suppression,
      reviewMessage: undefined,
      reviewCardHash: undefined,
    },
  });

/**
 * Ensure-message: one message per repository, posted once, then updated in place only when what it
 * shows changed. The record is saved the moment a message exists, so a retry updates rather than reposts.
 */
export const ensureMessage = async (
  deps: { chat: Chat; state: Pick<StateStore, 'claim' | 'releaseClaim'>; log: Logger },
  input: {
    record: MessageRecord | undefined;
    channel: string | undefined;
    card: RepositoryCard;
    save: (record: MessageRecord) => Promise<void>;
  },
): Promise<{ record: MessageRecord | undefined; outcome: MessageOutcome }> => {
  const contentHash = cardHash(input.card);
  if (input.record) {
    if (input.record.contentHash === contentHash) return { record: input.record, outcome: 'unchanged' };
    await deps.chat.updateRepositoryCard(input.record, input.card);
    const record = { ...input.record, contentHash };
    await input.save(record);
    return { record, outcome: 'updated' };
  }
  if (!input.channel) return { record: undefined, outcome: 'none' };
  // A post whose answer was lost (crash, timeout) may have reached Slack: a second attempt looks first.
  const key = input.card.repository.key;
  const claimKey = `post-card:${key}`;
  if (!(await deps.state.claim(claimKey, POST_MEMORY_MS))) {
    const earlier = await deps.chat.findRepositoryCard(input.channel, key);
    if (earlier) {
      await deps.chat.updateRepositoryCard(earlier, input.card);
      const record = { channel: earlier.channel, ts: earlier.ts, contentHash };
      await input.save(record);
      deps.log.info({ channel: earlier.channel, ts: earlier.ts }, 'message found again and updated');
      return { record, outcome: 'updated' };
    }
  }
  const ref = await deps.chat
    .postRepositoryCard(input.channel, input.card)
    .catch(releaseClaimIfRefused(deps.state, claimKey));
  const record = { channel: ref.channel, ts: ref.ts, contentHash };
  await input.save(record);
  deps.log.info({ channel: ref.channel, ts: ref.ts }, 'message posted');
  return { record, outcome: 'posted' };
};
