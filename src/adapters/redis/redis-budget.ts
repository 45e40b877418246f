import type { RedisConnection } from './connection.js';
import {
  inMemoryBudgets,
  systemClock,
  type BudgetFactory,
  type RateBudget,
  type RateLimit,
} from '../../shared/token-bucket.js';

/**
 * One token bucket in one Redis hash, changed atomically by a script. The time is Redis's own (TIME), so
 * processes on hosts whose clocks disagree still share one budget. Modes:
 * - `take`: refills, then reserves a token unless the wait would exceed ARGV[3] (-1: no limit); answers
 *   `{granted, waitMs}` (the caller sleeps `waitMs` when granted).
 * - `pause`: the provider's Retry-After (ARGV[3] ms): empties the bucket for that long and stores the
 *   pause's end, so every process holds back, even one already asleep on an earlier reservation.
 * - `peek`: answers `{1, ms left of the pause}` without reserving anything.
 * The hash expires once the bucket would be full again and unpaused: an idle budget costs no memory, and
 * one that is recreated starts full, as it would have been.
 */
const BUDGET_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local arg = tonumber(ARGV[3])
local mode = ARGV[4]
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at', 'until')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
local paused = tonumber(state[3]) or 0
if mode == 'peek' then return {1, math.max(0, paused - now)} end
tokens = math.min(burst, tokens + math.max(0, now - at) / 1000 * rate)
at = math.max(at, now)
local wait = 0
if mode == 'pause' then
  tokens = math.min(tokens, -arg / 1000 * rate)
  paused = math.max(paused, now + arg)
else
  if tokens < 1 then wait = math.ceil((1 - tokens) / rate * 1000) end
  wait = math.max(wait, paused - now)
  if arg >= 0 and wait > arg then return {0, wait} end
  tokens = tokens - 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at), 'until', tostring(paused))
local idle = math.max(math.ceil((burst - tokens) / rate * 1000), paused - now) + 1000
redis.call('PEXPIRE', KEYS[1], idle)
return {1, wait}
`;

type BudgetMode = 'take' | 'pause' | 'peek';

interface BudgetCommands {
  hubwardenBudget(
    key: string,
    perSecond: string,
    burst: string,
    arg: string,
    mode: BudgetMode,
  ): Promise<[number, number]>;
}

export interface RedisBudgetsOptions {
  /**
   * The deployment's QUEUE_PREFIX. Its {hash tag} (required on a Redis Cluster) puts every budget in the
   * slot of the deployment's queues.
   */
  readonly prefix: string;
  /** longest a budget call may take before this process falls back to its own bucket; default 2 s */
  readonly timeoutMs?: number;
  /** how long budgets stay in the process after Redis failed to answer, before Redis is tried again; default 5 s */
  readonly retryAfterMs?: number;
  /** where a budget goes while Redis does not answer; default an in-process bucket per budget */
  readonly fallback?: BudgetFactory;
  /** told once per outage that budgets are held per process for now */
  readonly onFallback?: (error: unknown) => void;
}

/** The Redis key of the budget `name` (everything after the prefix is free text, braces included). */
export const budgetKey = (prefix: string, name: string): string => `${prefix}:budget:${name}`;

const withTimeout = <T>(promise: Promise<T>, ms: number): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });

/**
 * Budgets shared by every process of a deployment through Redis, so the configured rates are the
 * deployment's total whatever the number of workers. When Redis does not answer (it is down, or a call
 * takes longer than `timeoutMs`), budgets are held in this process for `retryAfterMs`, then Redis is tried
 * again: a worker keeps pacing itself rather than stalling, at the cost of each process spending the full
 * rate during the outage.
 */
export const redisBudgets = (redis: RedisConnection, options: RedisBudgetsOptions): BudgetFactory => {
  if (!('hubwardenBudget' in redis)) {
    redis.defineCommand('hubwardenBudget', { numberOfKeys: 1, lua: BUDGET_SCRIPT });
  }
  const commands = redis as unknown as BudgetCommands;
  const timeoutMs = options.timeoutMs ?? 2_000;
  const fallbacks = options.fallback ?? inMemoryBudgets();
  const retryAfterMs = options.retryAfterMs ?? 5_000;
  // while Redis is away, calls go straight to the fallback and Redis is tried again every `retryAfterMs`
  let degradedUntil: number | undefined;
  const run = async (
    key: string,
    limit: RateLimit,
    arg: number,
    mode: BudgetMode,
  ): Promise<[number, number] | undefined> => {
    if (degradedUntil !== undefined && Date.now() < degradedUntil) return undefined;
    try {
      const answer = await withTimeout(
        commands.hubwardenBudget(key, String(limit.perSecond), String(limit.burst), String(arg), mode),
        timeoutMs,
      );
      degradedUntil = undefined;
      return answer;
    } catch (error) {
      if (degradedUntil === undefined) options.onFallback?.(error);
      degradedUntil = Date.now() + retryAfterMs;
      return undefined;
    }
  };
  return (name, limit): RateBudget => {
    const key = budgetKey(options.prefix, name);
    const fallback = () => fallbacks(name, limit);
    const tryTake = async (maxWaitMs: number): Promise<number> => {
      const answer = await run(key, limit, Number.isFinite(maxWaitMs) ? maxWaitMs : -1, 'take');
      if (answer === undefined) return fallback().tryTake(maxWaitMs);
      const [granted, waitMs] = answer;
      if (granted === 0) return waitMs;
      if (waitMs === 0) return 0;
      await systemClock.sleep(waitMs);
      // a 429 seen elsewhere while this caller slept on its reservation holds it back too
      for (let left = (await run(key, limit, 0, 'peek'))?.[1] ?? 0; left > 0;) {
        await systemClock.sleep(left);
        left = (await run(key, limit, 0, 'peek'))?.[1] ?? 0;
      }
      return 0;
    };
    return {
      take: async () => {
        await tryTake(Number.POSITIVE_INFINITY);
      },
      tryTake,
      pauseFor: async (ms) => {
        const answer = await run(key, limit, Math.max(0, Math.ceil(ms)), 'pause');
        if (answer === undefined) await fallback().pauseFor(ms);
      },
    };
  };
};
