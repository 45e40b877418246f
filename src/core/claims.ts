import { errorKindOf } from './errors.js';
import type { StateStore } from './ports/state-store.js';

/**
 * The `.catch` of an attempt made under a claim (create a ticket, post a message). A claim makes a second
 * attempt look for what a first one may have made before making another. An attempt refused (a 429, local
 * pacing before sending, or a permanent refusal such as a required field or a channel the bot is not in)
 * made nothing, so it gives the claim back and the retry skips the lookup; any other failure (timeout,
 * crash) may have made something, so the claim stays.
 */
export const releaseClaimIfRefused =
  (state: Pick<StateStore, 'releaseClaim'>, claimKey: string) =>
  async (error: unknown): Promise<never> => {
    const kind = errorKindOf(error);
    if (kind === 'rate-limited' || kind === 'permanent') await state.releaseClaim(claimKey);
    throw error;
  };
