import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** A free TCP port on 127.0.0.1 (for servers that cannot listen on port 0 and report back). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });

/**
 * A redis-server of the test's own (no persistence), so a test may restart or flush it mid-run without
 * touching the machine's shared Redis. A restart keeps the port: clients reconnect to the same URL.
 */
export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  /** SIGKILL, then start again on the same port (empty unless started `persistent`) */
  restart(options?: { downMs?: number }): Promise<void>;
  flushAll(): Promise<void>;
  /** a fresh client (the caller disconnects it) */
  client(): Redis;
  stop(): Promise<void>;
}

const waitForPing = async (url: string): Promise<void> => {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined);
    const answer = await probe.connect().then(
      () => probe.ping(),
      () => undefined,
    );
    probe.disconnect();
    if (answer === 'PONG') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server did not answer at ${url}`);
};

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));

/**
 * `persistent`: an append-only file fsynced on every write, so a restart keeps the data (a managed Redis
 * rebooting); otherwise a restart comes back empty (a cache node replaced).
 */
export const startPrivateRedis = async (options: { persistent?: boolean } = {}): Promise<PrivateRedis> => {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'hubwarden-faults-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  const launch = (): ChildProcess =>
    spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        ...(options.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
        '--dir',
        dir,
        '--maxmemory-policy',
        'noeviction',
        '--daemonize',
        'no',
      ],
      { stdio: 'ignore' },
    );
  let child = launch();
  await waitForPing(url);
  const stop = async () => {
    child.kill('SIGKILL');
    await exited(child);
  };
  return {
    url,
    port,
    restart: async (options = {}) => {
      await stop();
      if (options.downMs) await new Promise((resolve) => setTimeout(resolve, options.downMs));
      child = launch();
      await waitForPing(url);
    },
    flushAll: async () => {
      const redis = new Redis(url);
      try {
        await redis.flushall();
      } finally {
        redis.disconnect();
      }
    },
    client: () => new Redis(url, { maxRetriesPerRequest: null }),
    stop,
  };
};
