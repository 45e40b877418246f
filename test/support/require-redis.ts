import { Redis } from 'ioredis';

const DEFAULT_URL = 'redis://127.0.0.1:6379';

/** The URL without its password, so the message can be printed. */
const shown = (url: string): string => {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
};

/**
 * Resolves when Redis answers PING at `url`, and otherwise rejects at once with one line saying how to
 * start one: the integration tests need it, and without it they would each retry until they time out.
 */
export const requireRedis = async (url: string = process.env.REDIS_URL ?? DEFAULT_URL): Promise<void> => {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  let lastError: Error | undefined;
  redis.on('error', (error: Error) => (lastError = error));
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    const reason = (lastError ?? (error as Error)).message.split('\n')[0];
    throw new Error(
      `the tests need Redis at ${shown(url)} (${reason}): start one with \`redis-server --daemonize yes\` ` +
        'or `docker run -d -p 6379:6379 redis:7`, or point REDIS_URL at one',
    );
  } finally {
    redis.disconnect();
  }
};
