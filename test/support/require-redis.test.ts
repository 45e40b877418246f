import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { closedPort } from './closed-port.js';
import { REDIS_URL } from './redis.js';
import { requireRedis } from './require-redis.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('the test run without Redis', () => {
  it('passes when Redis answers', async () => {
    await expect(requireRedis(REDIS_URL)).resolves.toBeUndefined();
  });

  it('fails at once with one line that says how to start Redis, and no password', async () => {
    const url = `redis://:hunter2-secret@127.0.0.1:${await closedPort()}`;
    const started = Date.now();
    const error = (await requireRedis(url).catch((caught: unknown) => caught)) as Error;
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(error.message).not.toContain('\n');
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(error.message).toContain('redis-server');
    expect(error.message).toContain('REDIS_URL');
    expect(error.message).not.toContain('hunter2');
  });

  it('stops `npm test` before any test file runs', async () => {
    const run = spawnSync(
      process.execPath,
      [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'test/config/owners-file.test.ts'],
      {
        cwd: root,
        env: {
          PATH: process.env.PATH ?? '',
          REDIS_URL: `redis://127.0.0.1:${await closedPort()}`,
          NO_COLOR: '1',
        },
        encoding: 'utf8',
        timeout: 25_000,
      },
    );
    expect(run.status).toBe(1);
    const lines = `${run.stdout}${run.stderr}`.split('\n').filter((line) => line.trim() !== '');
    expect(lines.filter((line) => line.includes('the tests need Redis'))).toHaveLength(1);
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/\bat .*\(.*:\d+:\d+\)/);
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/Tests .*passed/);
  });
});
