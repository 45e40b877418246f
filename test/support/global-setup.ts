import { requireRedis } from './require-redis.js';

/**
 * vitest globalSetup: stop the run at once, with one line, when Redis is not there. The error's stack is
 * dropped because it says nothing more than the line.
 */
export default async function setup(): Promise<void> {
  try {
    await requireRedis();
  } catch (error) {
    process.stderr.write(`\n${(error as Error).message}\n\n`);
    process.exit(1);
  }
}
