import type { Clock } from '../../src/shared/token-bucket.js';

/** A clock whose `sleep` only moves time: share it with the stand-in and rate limits become exact and instant. */
export interface FakeClock extends Clock {
  readonly slept: number[];
  advance(ms: number): void;
}

export const fakeClock = (start = Date.parse('2025-06-01T00:00:00.000Z')): FakeClock => {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
};
