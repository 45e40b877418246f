import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const COLUMNS = 120;

/** Runs `npm run demo`'s script until it says it is done; the process keeps running (as the demo does). */
const startDemo = () => {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', COLUMNS: String(COLUMNS) };
  // The demo picks its own private redis-server when it can, as on a fresh machine.
  if (spawnSync('sh', ['-c', 'command -v redis-server']).status === 0) delete env['REDIS_URL'];
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      if (stdout.includes('demo script done')) {
        clearInterval(timer);
        resolve(stdout);
      }
    }, 100);
    child.on('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`the demo exited with ${code}\n${stdout}\n${stderr}`));
    });
  });
  const stop = () =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null) return resolve(child.exitCode);
      child.removeAllListeners('exit');
      child.on('exit', (code) => resolve(code));
      child.kill('SIGINT');
    });
  return { done, stop, output: () => ({ stdout, stderr }) };
};

const run = (command: string) =>
  spawnSync('sh', ['-c', command], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });

describe('npm run demo', () => {
  const demo = startDemo();
  afterAll(async () => {
    await demo.stop();
  });

  it('reads in order, fits the terminal, ends with a table and hints that work as printed', async () => {
    const stdout = await demo.done;
    const lines = stdout.split('\n');

    // Fits the terminal, no colour under NO_COLOR, no warning noise.
    const verbatim = /^ {2}(node|curl|settings|API token) /;
    for (const line of lines.filter((l) => !verbatim.test(l)))
      expect([...line].length, line).toBeLessThanOrEqual(COLUMNS);
    expect(stdout).not.toContain('\u001b[');
    expect(demo.output().stderr).not.toContain('NodeVersionSupportWarning');

    // Events in the order they happened: a repository's ticket opens before its message names it.
    const opened = (key: string) => lines.findIndex((l) => l.startsWith(`jira   ${key} opened`));
    const posted = (key: string) =>
      lines.findIndex(
        (l) => l.startsWith('slack ') && l.includes(' posted: ') && l.includes(`ticket ${key} `),
      );
    for (const key of ['SEC-1', 'SEC-5', 'SEC-10']) {
      expect(opened(key), key).toBeGreaterThanOrEqual(0);
      if (posted(key) >= 0) expect(opened(key), key).toBeLessThan(posted(key));
    }

    // The closing table.
    const header = lines.findIndex((l) =>
      /^repository\s+account\s+region\s+owner \(rule\)\s+ticket\s+message\s+state$/.test(l),
    );
    expect(header).toBeGreaterThan(0);
    const rows = lines.slice(header + 1).filter((l) => /^\S+\/\S+\s+\d{12}\s/.test(l));
    expect(rows.length).toBeGreaterThanOrEqual(13);
    expect(rows.some((row) => / fixed$/.test(row))).toBe(true);
    expect(rows.some((row) => /suppressed, active$/.test(row))).toBe(true);

    // The hints run against the demo's own stand-ins, prefix and token.
    const cli = lines.find((l) => l.startsWith('  node --env-file='))?.trim();
    const curl = lines.find((l) => l.startsWith('  curl '))?.trim();
    expect(cli).toBeDefined();
    expect(curl).toBeDefined();
    const trail = run(cli ?? 'false');
    expect(trail.status, trail.stderr).toBe(0);
    expect(trail.stdout).toContain('U0SECLEAD');
    expect(trail.stdout).toMatch(/active/);
    if (spawnSync('sh', ['-c', 'command -v curl']).status === 0) {
      const api = run(curl ?? 'false');
      expect(api.status, api.stderr).toBe(0);
      const body = JSON.parse(api.stdout) as unknown;
      expect(JSON.stringify(body)).toContain('"reviewedBy":"U0SECLEAD"');
    }

    // The env file goes away with the demo.
    const envFile = /^ {2}settings\s+(\S+)$/m.exec(stdout)?.[1];
    expect(envFile && existsSync(envFile)).toBe(true);
    expect(await demo.stop()).toBe(0);
    expect(existsSync(envFile ?? '')).toBe(false);
  }, 180_000);
});
