// The V8 heap sizing every hubwarden process runs with, however it is started (`hubwarden …` from the
// package, `npx`, `npm start`, the image): small young-generation semi-spaces and a 256 MB old space.
// Measured in docs/benchmarks.md; without them a full read lets V8 grow the heap far ahead of the live set.
import { spawn } from 'node:child_process';

export const HEAP_FLAGS = ['--max-semi-space-size=2', '--max-old-space-size=256'];

/** Set in the re-executed process (to the flags it added): it never re-executes again. */
export const HEAP_FLAGS_MARKER = 'HUBWARDEN_HEAP_FLAGS';

const optionName = (argument) => argument.split('=')[0].replace(/_/g, '-');

/** The flags of HEAP_FLAGS whose option neither the command line nor NODE_OPTIONS already sets. */
export const missingHeapFlags = (execArgv, nodeOptions) => {
  const given = new Set([...execArgv, ...(nodeOptions ?? '').split(/\s+/)].map(optionName));
  return HEAP_FLAGS.filter((flag) => !given.has(optionName(flag)));
};

const FORWARDED_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'];

/** The launcher's pid, in the child's environment: the child ends when the launcher is gone. */
const LAUNCHER_PID = 'HUBWARDEN_LAUNCHER_PID';

/**
 * In the child: a launcher killed with SIGKILL cannot pass anything on, so the child checks every 100 ms
 * that its launcher is still its parent and ends itself the same way when it is not (Linux's parent-death
 * signal, which Node.js does not offer).
 */
export const followLauncher = () => {
  const launcher = Number(process.env[LAUNCHER_PID]);
  if (!Number.isInteger(launcher) || launcher !== process.ppid) return;
  setInterval(() => {
    if (process.ppid !== launcher) process.kill(process.pid, 'SIGKILL');
  }, 100).unref();
};

/**
 * Runs this script again with the missing flags in front of NODE_OPTIONS (an operator's own NODE_OPTIONS
 * come after them, so an operator's value of a flag wins), stdio inherited. Signals sent to this process
 * are passed on, and its exit code or signal is the child's. Answers whether it started the child
 * (`false`: nothing was missing, or this is the child).
 */
export const reexecWithHeapFlags = (script, argv) => {
  if (process.env[HEAP_FLAGS_MARKER] !== undefined) return false;
  const missing = missingHeapFlags(process.execArgv, process.env.NODE_OPTIONS);
  if (missing.length === 0) return false;
  const nodeOptions = [...missing, process.env.NODE_OPTIONS ?? ''].join(' ').trim();
  const child = spawn(process.execPath, [...process.execArgv, script, ...argv], {
    stdio: 'inherit',
    // its own process group: a terminal's Ctrl-C reaches this process only, which passes it on once (the
    // service stops at its first SIGINT and a second one would end it at once); on Windows, where that
    // would open a console window of its own, it stays attached
    detached: process.platform !== 'win32',
    env: {
      ...process.env,
      NODE_OPTIONS: nodeOptions,
      [HEAP_FLAGS_MARKER]: missing.join(' '),
      [LAUNCHER_PID]: String(process.pid),
    },
  });
  const forward = (signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
  child.on('error', (error) => {
    process.stderr.write(`hubwarden: cannot start ${process.execPath}: ${error.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    for (const name of FORWARDED_SIGNALS) process.off(name, forward);
    if (signal) {
      // end the way the child ended, so a supervisor sees the same signal
      process.kill(process.pid, signal);
      return;
    }
    process.exit(code ?? 1);
  });
  return true;
};
