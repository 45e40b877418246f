/**
 * `hubwarden sync --once` as a user starts it: `node bin/hubwarden.js sync --once` from a shell without
 * NODE_OPTIONS, against the seeded stand-ins, with the peak RSS of every process it starts (bin/hubwarden.js
 * runs itself again when the V8 heap flags are missing: the launcher and the process that does the work).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { peakRssOf } from './bench-child.js';
import { clientLimitsEnv, flushPrefix, seededSandbox, type ScenarioOptions } from './bench-run.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface SyncOptions extends ScenarioOptions {
  /** `compiled`: an installed package's layout (bin/ and dist/); `tsx`: this checkout's bin/hubwarden.js */
  readonly runtime: 'compiled' | 'tsx';
  /** added to the command's environment (e.g. `HUBWARDEN_HEAP_FLAGS=` to run it without the flags) */
  readonly extraEnv: Readonly<Record<string, string>>;
}

export interface SyncResult {
  readonly options: SyncOptions;
  readonly failing: number;
  readonly findings: number;
  readonly exitCode: number | null;
  readonly seconds: number;
  /** the process `node bin/hubwarden.js` started */
  readonly launcherPeakRssBytes: number;
  /** the process that ran the command (the launcher itself when it did not run itself again) */
  readonly commandPeakRssBytes: number;
  /** processes seen: 1 when the flags were already in effect, 2 when bin/hubwarden.js ran itself again */
  readonly processes: number;
  readonly logFile: string;
}

/** Direct children of a process, from /proc. */
const childrenOf = (pid: number): number[] => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // kernels without CONFIG_PROC_CHILDREN: scan every process's parent
    return readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .filter((name) => {
        try {
          return Number(readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]) === pid;
        } catch {
          return false;
        }
      })
      .map(Number);
  }
};

const descendantsOf = (pid: number): number[] =>
  childrenOf(pid).flatMap((child) => [child, ...descendantsOf(child)]);

/** An installed package's layout: bin/, dist/ (the benchmark's build), package.json, node_modules. */
const installedPackage = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'hubwarden-package-'));
  mkdirSync(join(dir, 'bin'));
  for (const file of ['hubwarden.js', 'heap-flags.js'])
    copyFileSync(join(ROOT, 'bin', file), join(dir, 'bin', file));
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(ROOT, '.bench-dist'), join(dir, 'dist'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
};

export const runSyncOnce = async (options: SyncOptions, say: (line: string) => void): Promise<SyncResult> => {
  const sandbox = await seededSandbox(options);
  const prefix = `{hw-bench-${randomUUID().slice(0, 8)}}`;
  const logFile = join(tmpdir(), `hubwarden-bench-${prefix.slice(1, -1)}.log`);
  const packageDir = options.runtime === 'compiled' ? installedPackage() : undefined;
  const failing = sandbox.seed.repositories.filter((repository) => repository.compliance === 'FAILED').length;
  try {
    const bin = join(packageDir ?? ROOT, 'bin', 'hubwarden.js');
    say(
      `seeded ${failing} failing repositories, ${sandbox.seed.findings} findings; ${process.execPath} ${bin} sync --once; log ${logFile}`,
    );
    // a user's shell: no NODE_OPTIONS, no flags on the command line
    const { NODE_OPTIONS: _ignored, ...shell } = process.env;
    const log = openSync(logFile, 'a');
    const started = performance.now();
    const child = spawn(process.execPath, [bin, 'sync', '--once'], {
      env: {
        ...shell,
        ...sandbox.env,
        REDIS_URL: options.redisUrl,
        QUEUE_PREFIX: prefix,
        LOG_LEVEL: options.logLevel,
        ...clientLimitsEnv(options),
        ...options.extraEnv,
      },
      stdio: ['ignore', log, log],
    });
    const pid = child.pid ?? 0;
    const peaks = new Map<number, number>();
    const sample = () => {
      for (const process of [pid, ...descendantsOf(pid)]) {
        peaks.set(process, Math.max(peaks.get(process) ?? 0, peakRssOf(process)));
      }
    };
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let done = false;
    void exited.then(() => {
      done = true;
    });
    let lastReport = 0;
    while (!done) {
      sample();
      const at = (performance.now() - started) / 1000;
      if (at - lastReport >= 15) {
        lastReport = at;
        say(
          `  ${at.toFixed(0)} s: ${sandbox.jira.issues.size} tickets, ${sandbox.slack.messages.length} messages`,
        );
      }
      if (at * 1000 > options.timeoutMs) child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const exitCode = await exited;
    const seconds = (performance.now() - started) / 1000;
    const launcherPeakRssBytes = peaks.get(pid) ?? 0;
    const others = [...peaks.entries()].filter(([process]) => process !== pid).map(([, peak]) => peak);
    say(`  exit ${exitCode} after ${seconds.toFixed(1)} s`);
    return {
      options,
      failing,
      findings: sandbox.seed.findings,
      exitCode,
      seconds,
      launcherPeakRssBytes,
      commandPeakRssBytes: others.length === 0 ? launcherPeakRssBytes : Math.max(...others),
      processes: peaks.size,
      logFile,
    };
  } finally {
    if (packageDir) rmSync(packageDir, { recursive: true, force: true });
    await flushPrefix(options.redisUrl, prefix);
    await sandbox.close();
  }
};
