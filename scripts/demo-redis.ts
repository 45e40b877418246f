import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });

const onPath = (command: string): boolean => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

/**
 * Redis for the demo: REDIS_URL when set, else a private `redis-server` (no persistence, noeviction)
 * that stops with the demo. Returns the URL and a stop function.
 */
export const demoRedis = async (): Promise<{ url: string; origin: string; stop: () => void }> => {
  if (process.env.REDIS_URL)
    return { url: process.env.REDIS_URL, origin: 'REDIS_URL', stop: () => undefined };
  if (!onPath('redis-server')) {
    throw new Error('no Redis: set REDIS_URL, or install redis-server (e.g. apt-get install redis-server)');
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'hubwarden-demo-redis-'));
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--maxmemory-policy',
      'noeviction',
    ],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  const { Redis } = await import('ioredis');
  for (let attempt = 0; ; attempt += 1) {
    const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined);
    const answered = await probe.connect().then(
      () => probe.ping(),
      () => undefined,
    );
    probe.disconnect();
    if (answered === 'PONG') break;
    if (attempt > 50) throw new Error(`redis-server did not start on port ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, origin: `a private redis-server on port ${port}`, stop: () => child.kill('SIGTERM') };
};
