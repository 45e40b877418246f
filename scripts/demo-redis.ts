import { spawnSync } from 'node:child_process';
import { startPrivateRedis } from '../test/support/private-redis.js';

const onPath = (command: string): boolean => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

/**
 * Redis for the demo: REDIS_URL when set, else a private `redis-server` (no persistence, noeviction,
 * the same one the fault suite uses) that stops with the demo.
 */
export const demoRedis = async (): Promise<{ url: string; origin: string; stop: () => void }> => {
  if (process.env.REDIS_URL)
    return { url: process.env.REDIS_URL, origin: 'REDIS_URL', stop: () => undefined };
  if (!onPath('redis-server')) {
    throw new Error('no Redis: set REDIS_URL, or install redis-server (e.g. apt-get install redis-server)');
  }
  const redis = await startPrivateRedis();
  return {
    url: redis.url,
    origin: `a private redis-server on port ${redis.port}`,
    stop: () => void redis.stop(),
  };
};
