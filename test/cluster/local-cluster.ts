import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? 'redis-server';
const REDIS_CLI = process.env.REDIS_CLI_BIN ?? 'redis-cli';
const COMMAND_TIMEOUT_MS = 10_000;

/** A throwaway Redis Cluster of three masters on 127.0.0.1, made from the local `redis-server`. */
export interface LocalCluster {
  readonly ports: readonly number[];
  /** a URL naming one node, as `REDIS_URL` names an ElastiCache configuration endpoint */
  readonly url: string;
  /** runs `redis-cli -p <first node> <args>` and answers its output */
  cli(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/** Ports the OS says are free now; held together so that they differ from each other. */
const freePorts = async (count: number): Promise<number[]> => {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i += 1) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
    }
    return servers.map((server) => {
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no TCP port was assigned');
      return address.port;
    });
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
};

const cliAt = async (port: number, ...args: string[]): Promise<string> =>
  (await run(REDIS_CLI, ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: COMMAND_TIMEOUT_MS }))
    .stdout;

const waitFor = async (what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() >= deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

const startNode = async (dir: string, port: number, busPort: number): Promise<void> => {
  // The bus port is chosen too (`cluster-port`, Redis 7+): the default port + 10000 may be taken or > 65535.
  await run(
    REDIS_SERVER,
    [
      ...['--port', String(port), '--cluster-port', String(busPort), '--bind', '127.0.0.1'],
      ...['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`)],
      ...['--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'yes'],
      ...['--pidfile', join(dir, `${port}.pid`), '--logfile', join(dir, `${port}.log`)],
    ],
    { timeout: COMMAND_TIMEOUT_MS },
  );
  await waitFor(
    `redis-server on port ${port}`,
    async () => (await cliAt(port, 'ping')).trim() === 'PONG',
    5_000,
  )
    // A daemon reports its own failures (port taken, unknown option) only in its log.
    .catch(async (error: unknown) => {
      const log = await readFile(join(dir, `${port}.log`), 'utf8').catch(() => '');
      throw new Error(`${String(error)}; log: ${log.trim().split('\n').slice(-3).join(' | ')}`);
    });
};

const stopNode = async (dir: string, port: number): Promise<void> => {
  try {
    await cliAt(port, 'shutdown', 'nosave');
  } catch {
    // Shutdown answers nothing when it works; when it fails, end the daemon we started by its own pid.
    const pid = Number(await readFile(join(dir, `${port}.pid`), 'utf8').catch(() => ''));
    if (Number.isInteger(pid) && pid > 0) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  }
};

/** Starts three cluster-enabled nodes, joins them into one cluster, and waits until it serves every slot. */
export const startLocalCluster = async (): Promise<LocalCluster> => {
  const dir = await mkdtemp(join(tmpdir(), 'hubwarden-cluster-'));
  const all = await freePorts(6);
  const ports = all.slice(0, 3);
  const started: number[] = [];
  const stop = async () => {
    await Promise.all(started.map((port) => stopNode(dir, port)));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (const [index, port] of ports.entries()) {
      started.push(port);
      await startNode(dir, port, all[index + 3] ?? 0);
    }
    await run(
      REDIS_CLI,
      [
        '--cluster',
        'create',
        ...ports.map((port) => `127.0.0.1:${port}`),
        ...['--cluster-replicas', '0', '--cluster-yes'],
      ],
      { timeout: COMMAND_TIMEOUT_MS },
    );
    for (const port of ports) {
      await waitFor(
        `cluster_state:ok on port ${port}`,
        async () => (await cliAt(port, 'cluster', 'info')).includes('cluster_state:ok'),
        10_000,
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const first = ports[0] ?? 0;
  return { ports, url: `redis://127.0.0.1:${first}`, cli: (...args) => cliAt(first, ...args), stop };
};
