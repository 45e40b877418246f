import { probeRedis, RedisUnreachableError } from '../adapters/redis/reachability.js';

/**
 * check-config's Redis line: `PING PONG`, or throws `unreachable at HOST:PORT (REASON)` after a few
 * seconds of retries (never the URL's password).
 */
export const redisReachable = async (url: string): Promise<string> => {
  const probe = await probeRedis(url);
  if (!probe.reachable) throw new Error(`unreachable at ${probe.target} (${probe.reason})`);
  return 'PING PONG';
};

/**
 * For one-shot commands that cannot work without Redis: throws a {@link RedisUnreachableError} whose
 * message is the one line to print (`redis: unreachable at HOST:PORT (REASON)`).
 */
export const requireRedis = async (url: string): Promise<void> => {
  const probe = await probeRedis(url);
  if (!probe.reachable) throw new RedisUnreachableError(probe.target, probe.reason);
};
