import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** A checkout of its own: bin/hubwarden.js as shipped, with a source tree and/or a build that say who they are. */
const checkout = (parts: { sources: boolean; build: boolean; tsx: boolean }): string => {
  const dir = mkdtempSync(join(tmpdir(), 'hw-bin-'));
  mkdirSync(join(dir, 'bin'));
  copyFileSync(join(root, 'bin', 'hubwarden.js'), join(dir, 'bin', 'hubwarden.js'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  const report = (who: string) =>
    `process.stdout.write(${JSON.stringify(who)} + ' ' + process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED);\n`;
  if (parts.sources) {
    mkdirSync(join(dir, 'src', 'cli'), { recursive: true });
    writeFileSync(join(dir, 'src', 'cli', 'main.ts'), `const who: string = 'sources';\n${report('sources')}`);
  }
  if (parts.build) {
    mkdirSync(join(dir, 'dist', 'src', 'cli'), { recursive: true });
    writeFileSync(join(dir, 'dist', 'src', 'cli', 'main.js'), report('dist'));
  }
  if (parts.tsx) symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  return dir;
};

const run = (dir: string, env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [join(dir, 'bin', 'hubwarden.js')], {
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
