import { errorKindOf } from './errors.js';
import type { StateStore } from './ports/state-store.js';

/**
 * The `.catch` of an attempt made under a claim (create a ticket, post a message). A claim makes a second
 * attempt look for what a first one may have made before making another. An attempt refused for rate (a
 * 429, or local pacing before sending) made nothing, so it gives the claim back and the retry skips the
 * lookup; any other failure (timeout, crash) may have made something, so the claim stays.
 */
export const releaseClaimIfRefused =
  (state: Pick<StateStore, 'releaseClaim'>, claimKey: string) =>
  async (error: unknown): Promise<never> => {
    if (errorKindOf(error) === 'rate-limited') await state.releaseClaim(claimKey);
    throw error;
  };
