import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'hubwarden.js');
const KEEP_OUTPUT = 64 * 1024;

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** `Date.now()` when the process exited */
  readonly at: number;
}

/** hubwarden as operators run it: `bin/hubwarden.js` in a process of its own that a test can kill. */
export interface ServiceProcess {
  readonly pid: number;
  readonly startedAt: number;
  readonly exit: Promise<ProcessExit>;
  /** whether it has exited */
  readonly done: boolean;
  /** the last 64 KiB of stdout and stderr (JSON log lines), for failure messages */
  output(): string;
  /** sends a signal to this process only */
  signal(signal: NodeJS.Signals): void;
  /** SIGKILL and wait for the exit */
  kill(): Promise<ProcessExit>;
  /** SIGTERM and wait for the exit; the time it took is `exit.at - sentAt` */
  terminate(): Promise<ProcessExit & { readonly sentAt: number }>;
}

/**
 * Starts `node <heap flags> --import tsx bin/hubwarden.js <args>` with exactly `env` (plus PATH and HOME), so nothing of
 * the test process leaks into the service's configuration.
 */
export const spawnService = (args: readonly string[], env: Record<string, string>): ServiceProcess => {
  // The heap flags on the command line, as the image and `npm start` give them: one process, so a SIGKILL
  // reaches the service itself (bin/hubwarden.js would otherwise run it in a child process of its own).
  const heapFlags = ['--max-semi-space-size=2', '--max-old-space-size=256'];
  const child: ChildProcess = spawn(process.execPath, [...heapFlags, '--import', 'tsx', BIN, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-KEEP_OUTPUT);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let done = false;
  const exit = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      resolve({ code, signal, at: Date.now() });
    });
  });
  if (child.pid === undefined) throw new Error('hubwarden did not start');
  const pid = child.pid;
  const signal = (name: NodeJS.Signals) => {
    if (!done) child.kill(name);
  };
  return {
    pid,
    startedAt: Date.now(),
    exit,
    get done() {
      return done;
    },
    output: () => output,
    signal,
    kill: async () => {
      signal('SIGKILL');
      return exit;
    },
    terminate: async () => {
      const sentAt = Date.now();
      signal('SIGTERM');
      return { ...(await exit), sentAt };
    },
  };
};
