import { redisFailureReason, redisTarget } from '../adapters/redis/reachability.js';
import type { RedisConnection } from '../adapters/redis/connection.js';
import type { Logger } from '../core/ports/logger.js';

/** The longest pause ioredis makes between two connection attempts (its default retry strategy). */
const REDIS_RETRY_LOG_EVERY_MS = 5_000;
const PING_TIMEOUT_MS = 1_000;

/**
 * Whether the service's Redis connection is up, for `/readyz`, `/metrics` and the start of work; and the
 * one error listener of that connection and of every queue and worker sharing it, so an outage is one
 * JSON log line per retry interval, never a stack trace per attempt (or `[ioredis] Unhandled error event`).
 */
export interface RedisHealth {
  /** the connection is open and past its ready check */
  isUp(): boolean;
  /** up and answers PING within a second: what `/readyz` asks */
  answers(timeoutMs?: number): Promise<boolean>;
  /** resolves once the connection is up (at once when it already is) */
  whenUp(): Promise<void>;
  /** the error listener for queues and workers on this connection */
  readonly report: (error: unknown) => void;
}

export const watchRedis = (
  redis: RedisConnection,
  url: string,
  log: Logger,
  logEveryMs = REDIS_RETRY_LOG_EVERY_MS,
): RedisHealth => {
  const target = redisTarget(url);
  const lastLogged = new Map<string, number>();
  let suppressed = 0;
  let downSince: number | undefined;

  const report = (error: unknown) => {
    const reason = redisFailureReason(error);
    const now = Date.now();
    downSince ??= redis.status === 'ready' ? undefined : now;
    const last = lastLogged.get(reason);
    if (last !== undefined && now - last < logEveryMs) {
      suppressed += 1;
      return;
    }
    lastLogged.set(reason, now);
    log.warn(
      { redis: target, reason, status: redis.status, repeats: suppressed },
      redis.status === 'ready' ? 'redis error' : 'redis unreachable: retrying',
    );
    suppressed = 0;
  };
  redis.on('error', report);
  redis.on('ready', () => {
    if (downSince !== undefined) {
      log.info({ redis: target, downForMs: Date.now() - downSince }, 'redis reachable again');
    }
    downSince = undefined;
    lastLogged.clear();
    suppressed = 0;
  });

  const isUp = () => redis.status === 'ready';
  return {
    isUp,
    answers: async (timeoutMs = PING_TIMEOUT_MS) => {
      // while reconnecting a PING would wait in the offline queue: the status already says no
      if (!isUp()) return false;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      try {
        return (await Promise.race([redis.ping(), timedOut])) === 'PONG';
      } catch {
        return false;
      } finally {
        clearTimeout(timer);
      }
    },
    whenUp: () =>
      isUp() ? Promise.resolve() : new Promise<void>((resolve) => redis.once('ready', () => resolve())),
    report,
  };
};
