import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** A checkout of its own: bin/hubwarden.js as shipped, with a source tree and/or a build that say who they are. */
const checkout = (parts: { sources: boolean; build: boolean; tsx: boolean; main?: string }): string => {
  const dir = mkdtempSync(join(tmpdir(), 'hw-bin-'));
  mkdirSync(join(dir, 'bin'));
  for (const file of ['hubwarden.js', 'heap-flags.js']) {
    copyFileSync(join(root, 'bin', file), join(dir, 'bin', file));
  }
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  const report = (who: string) =>
    `process.stdout.write(${JSON.stringify(who)} + ' ' + process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED);\n`;
  if (parts.sources) {
    mkdirSync(join(dir, 'src', 'cli'), { recursive: true });
    writeFileSync(join(dir, 'src', 'cli', 'main.ts'), `const who: string = 'sources';\n${report('sources')}`);
  }
  if (parts.build) {
    mkdirSync(join(dir, 'dist', 'src', 'cli'), { recursive: true });
    writeFileSync(join(dir, 'dist', 'src', 'cli', 'main.js'), parts.main ?? report('dist'));
  }
  if (parts.tsx) symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  return dir;
};

const run = (dir: string, env: Record<string, string> = {}, nodeFlags: readonly string[] = []) =>
  spawnSync(process.execPath, [...nodeFlags, join(dir, 'bin', 'hubwarden.js')], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  });

describe('bin/hubwarden.js runs what the checkout holds', () => {
  const made: string[] = [];
  const make = (parts: Parameters<typeof checkout>[0]) => {
    const dir = checkout(parts);
    made.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('runs the sources of a development checkout even when a stale dist/ is left from a build', () => {
    const result = run(make({ sources: true, build: true, tsx: true }));
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^sources /);
  });

  it('runs dist/ where there are no sources (the container) or no tsx (an installed package)', () => {
    expect(run(make({ sources: false, build: true, tsx: true })).stdout).toMatch(/^dist /);
    expect(run(make({ sources: true, build: true, tsx: false })).stdout).toMatch(/^dist /);
  });

  it('says what is missing when there is nothing to run', () => {
    const result = run(make({ sources: true, build: false, tsx: false }));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/nothing to run.*npm ci.*npm run build/);
  });

  it('turns the AWS SDK Node.js version warning off below Node.js 22, unless the operator set it', () => {
    const dir = make({ sources: false, build: true, tsx: false });
    const major = Number(process.versions.node.split('.')[0]);
    expect(run(dir).stdout).toBe(major < 22 ? 'dist true' : 'dist undefined');
    expect(run(dir, { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'false' }).stdout).toBe('dist false');
  });
});

/** What the process that runs the command sees: its heap limit, its pid, the flags it was given. */
const HEAP_PROBE = `import v8 from 'node:v8';
process.stdout.write(JSON.stringify({
  pid: process.pid,
  limitMb: v8.getHeapStatistics().heap_size_limit / 2 ** 20,
  added: process.env.HUBWARDEN_HEAP_FLAGS ?? null,
  nodeOptions: process.env.NODE_OPTIONS ?? null,
  argv: process.argv.slice(2),
}));
`;
interface Probe {
  pid: number;
  limitMb: number;
  added: string | null;
  nodeOptions: string | null;
  argv: string[];
}

describe('bin/hubwarden.js gives every command the same V8 heap flags', () => {
  const made: string[] = [];
  const make = (main: string) => {
    const dir = checkout({ sources: false, build: true, tsx: false, main });
    made.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const probe = (env: Record<string, string> = {}, nodeFlags: readonly string[] = []) => {
    const result = run(make(HEAP_PROBE), env, nodeFlags);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    return { pid: result.pid, seen: JSON.parse(result.stdout) as Probe };
  };

  it('runs a command started without them with a 256 MB old space and 2 MB semi-spaces', () => {
    const { pid, seen } = probe();
    // V8's default on this machine is several GB; 256 MB old space plus the small young generation
    expect(seen.limitMb).toBeGreaterThanOrEqual(256);
    expect(seen.limitMb).toBeLessThan(280);
    expect(seen.pid).not.toBe(pid);
    expect(seen.added).toBe('--max-semi-space-size=2 --max-old-space-size=256');
  });

  it("lets an operator's NODE_OPTIONS win, adding only the flag it does not set", () => {
    const { seen } = probe({ NODE_OPTIONS: '--max-old-space-size=1024' });
    expect(seen.limitMb).toBeGreaterThanOrEqual(1024);
    expect(seen.limitMb).toBeLessThan(1100);
    expect(seen.added).toBe('--max-semi-space-size=2');
    expect(seen.nodeOptions).toBe('--max-semi-space-size=2 --max-old-space-size=1024');
  });

  it('starts no second process when NODE_OPTIONS (the image, npm start) or the command line set both', () => {
    const image = probe({ NODE_OPTIONS: '--max-semi-space-size=2 --max-old-space-size=256' });
    expect(image.seen.pid).toBe(image.pid);
    expect(image.seen.added).toBeNull();
    const flags = probe({}, ['--max_semi_space_size=1', '--max-old-space-size=300']);
    expect(flags.seen.pid).toBe(flags.pid);
    expect(flags.seen.limitMb).toBeGreaterThanOrEqual(300);
    expect(flags.seen.limitMb).toBeLessThan(320);
  });

  it('passes the arguments on and never re-executes twice', () => {
    const dir = make(HEAP_PROBE);
    const result = spawnSync(process.execPath, [join(dir, 'bin', 'hubwarden.js'), 'sync', '--once'], {
      env: { PATH: process.env.PATH ?? '', HUBWARDEN_HEAP_FLAGS: '' },
      encoding: 'utf8',
    });
    const seen = JSON.parse(result.stdout) as Probe;
    expect(seen.argv).toEqual(['sync', '--once']);
    // the marker says the flags were already handled: no further process, whatever NODE_OPTIONS holds
    expect(seen.pid).toBe(result.pid);
    const once = probe();
    expect(once.seen.argv).toEqual([]);
  });

  it("ends with the command's exit code", () => {
    const result = run(make('process.exit(3);\n'));
    expect(result.status).toBe(3);
  });

  it('passes SIGTERM on to the command and ends as the command ends', async () => {
    // the handler first: "ready" must mean that a SIGTERM now reaches it
    const dir = make(`process.on('SIGTERM', () => { process.stdout.write('stopping\\n'); process.exit(7); });
process.stdout.write('ready\\n');
setInterval(() => undefined, 1000);
`);
    const child = spawn(process.execPath, [join(dir, 'bin', 'hubwarden.js'), 'run'], {
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const ready = new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('ready')) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await ready;
    child.kill('SIGTERM');
    expect(await exited).toBe(7);
    expect(out).toBe('ready\nstopping\n');
  });

  it("delivers a terminal's Ctrl-C to the command once, not once from the terminal and once passed on", async () => {
    const dir = make(`let received = 0;
process.on('SIGINT', () => {
  received += 1;
  setTimeout(() => { process.stdout.write('SIGINT x' + received + '\\n'); process.exit(0); }, 300);
});
process.stdout.write('ready\\n');
setInterval(() => undefined, 1000);
`);
    // a terminal sends SIGINT to its foreground process group: here, the group the launcher leads
    const child = spawn(process.execPath, [join(dir, 'bin', 'hubwarden.js')], {
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    const ready = new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('ready')) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await ready;
    process.kill(-(child.pid ?? 0), 'SIGINT');
    expect(await exited).toBe(0);
    expect(out).toBe('ready\nSIGINT x1\n');
  });

  it('ends the command when the launcher is killed with SIGKILL, which it cannot pass on', async () => {
    const dir = make(`process.stdout.write(process.pid + '\\n');
setInterval(() => undefined, 1000);
`);
    const child = spawn(process.execPath, [join(dir, 'bin', 'hubwarden.js')], {
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const commandPid = await new Promise<number>((resolve) =>
      child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
    );
    expect(commandPid).not.toBe(child.pid);
    const alive = () => {
      try {
        process.kill(commandPid, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(alive()).toBe(true);
    child.kill('SIGKILL');
    const deadline = Date.now() + 2_000;
    while (alive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(alive()).toBe(false);
  });

  it('ends by the same signal when the command is killed by it', async () => {
    const dir = make(`process.stdout.write('ready\\n');
setInterval(() => undefined, 1000);
`);
    const child = spawn(process.execPath, [join(dir, 'bin', 'hubwarden.js')], {
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    child.kill('SIGTERM');
    expect(await exited).toBe('SIGTERM');
  });
});
