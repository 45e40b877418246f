/** Starts `scripts/bench-service.ts` in a child process and watches its memory from the outside. */
import { fork, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ServiceMessage, ServiceStopped } from './bench-service.js';

export interface ServiceChild {
  readonly pid: number;
  readonly port: number;
  /** kernel's peak resident set (VmHWM) so far, in bytes */
  peakRss(): number;
  /** stops the service (SIGKILL after 30 s) and answers its last figures */
  stop(): Promise<{ peakRssBytes: number; memory: NodeJS.MemoryUsage | undefined }>;
}

/** The V8 heap sizing of `npm start` and the container image (their NODE_OPTIONS). */
const SERVICE_HEAP_FLAGS = '--max-semi-space-size=2 --max-old-space-size=256';

const SOURCE = fileURLToPath(new URL('./bench-service.ts', import.meta.url));
const COMPILED = fileURLToPath(new URL('../.bench-dist/scripts/bench-service.js', import.meta.url));

/** `VmHWM` of a process in bytes, 0 when it is gone. */
export const peakRssOf = (pid: number): number => {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status)?.[1];
    return kib === undefined ? 0 : Number(kib) * 1024;
  } catch {
    return 0;
  }
};

const nextMessage = <T extends ServiceMessage['type']>(
  child: ChildProcess,
  type: T,
  timeoutMs: number,
): Promise<Extract<ServiceMessage, { type: T }>> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`bench-service: no '${type}' in ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onMessage = (message: ServiceMessage) => {
      if (message.type !== type) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message as Extract<ServiceMessage, { type: T }>);
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`bench-service exited (${code}) before '${type}'`));
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });

/** `logFile` receives the service's stdout and stderr (JSON logs). */
export const startServiceChild = async (
  env: Record<string, string>,
  logFile: string,
): Promise<ServiceChild> => {
  const log = openSync(logFile, 'a');
  const compiled = process.env.BENCH_RUNTIME !== 'tsx';
  const child = fork(compiled ? COMPILED : SOURCE, [], {
    // the heap sizing of `npm start` and the image, given as flags: they win over any NODE_OPTIONS the
    // benchmark itself was started with
    env: { ...process.env, ...env },
    execArgv: [
      ...SERVICE_HEAP_FLAGS.split(' '),
      // BENCH_SERVICE_NODE_FLAGS: extra V8/Node flags for the service only (last value of a flag wins)
      ...(process.env.BENCH_SERVICE_NODE_FLAGS ?? '').split(' ').filter(Boolean),
      ...(compiled ? [] : ['--import', 'tsx']),
    ],
    stdio: ['ignore', log, log, 'ipc'],
  });
  const ready = await nextMessage(child, 'ready', 60_000);
  const pid = child.pid ?? 0;
  let lastPeak = 0;
  const peakRss = () => {
    lastPeak = Math.max(lastPeak, peakRssOf(pid));
    return lastPeak;
  };
  return {
    pid,
    port: ready.port,
    peakRss,
    stop: async () => {
      const peakRssBytes = peakRss();
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const stopped = nextMessage(child, 'stopped', 30_000).catch(() => undefined);
      child.send({ type: 'stop' });
      const last: ServiceStopped | undefined = await stopped;
      const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(killer);
      return { peakRssBytes, memory: last?.memory };
    },
  };
};
