import { spawnSync } from 'node:child_process';

export interface SourcedEnvFile {
  /** the variables the file set, as a POSIX shell reads it with `set -a; . ./file; set +a` */
  readonly env: Record<string, string>;
  readonly status: number | null;
  readonly stderr: string;
}

/**
 * Loads an env file exactly as the README tells operators to (`set -a; . ./.env; set +a`, in bash with
 * `-e`), in an otherwise empty environment, and returns what it set: a value that runs as a command or
 * acts as a redirection shows up as a non-zero status or on stderr.
 */
export const sourceEnvFile = (path: string, cwd: string): SourcedEnvFile => {
  const script = `set -e; set -a; . "$1"; set +a; exec "$2" -e 'process.stdout.write(JSON.stringify(process.env))'`;
  const run = spawnSync('bash', ['--norc', '--noprofile', '-c', script, 'bash', path, process.execPath], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: '/usr/bin:/bin' },
    encoding: 'utf8',
  });
  const all = run.status === 0 ? (JSON.parse(run.stdout) as Record<string, string>) : {};
  const env = Object.fromEntries(
    Object.entries(all).filter(
      ([name]) => /^[A-Z][A-Z0-9_]*$/.test(name) && !['PATH', 'PWD', 'SHLVL', '_'].includes(name),
    ),
  );
  return { env, status: run.status, stderr: run.stderr };
};
