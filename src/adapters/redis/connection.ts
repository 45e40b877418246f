import { Redis, type RedisOptions } from 'ioredis';

/**
 * One Redis connection. BullMQ workers need `maxRetriesPerRequest: null` (blocking commands must not
 * fail while Redis restarts); `rediss://` URLs switch TLS on by themselves.
 */
export const connectRedis = (url: string, options: RedisOptions = {}): Redis =>
  new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false, ...options });
