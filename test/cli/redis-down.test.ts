import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../standins/sandbox.js';
import { freePort } from '../support/private-redis.js';
import { runCli, type CliRun } from '../support/run-cli.js';

const REDIS_PASSWORD = 'redis-password-secret-4242';

/** What no command may print, whatever Redis does: a stack frame, ioredis's complaint, the password. */
const expectNoStackTrace = (run: CliRun) => {
  const output = run.stdout + run.stderr;
  expect(output).not.toContain('Unhandled error event');
  expect(output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(output).not.toContain(REDIS_PASSWORD);
};

const timed = async (run: Promise<CliRun>) => {
  const startedAt = Date.now();
  const result = await run;
  return { ...result, ms: Date.now() - startedAt };
};

describe('one-shot commands with Redis down (a port nothing listens on)', () => {
  let sandbox: Sandbox;
  let env: Record<string, string>;
  let target: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: { repositories: 3, findingsPerRepository: 1, seed: 13 } });
    const port = await freePort();
    target = `127.0.0.1:${port}`;
    // the password must never show up in a line about the connection
    env = {
      ...sandbox.env,
      REDIS_URL: `redis://:${REDIS_PASSWORD}@${target}`,
      QUEUE_PREFIX: '{hw-redis-down}',
    };
  });

  afterAll(async () => {
    await sandbox.close();
  });

  it('check-config fails the redis line with host, port and reason, exits 1 within 20 s', async () => {
    const run = await timed(runCli(['check-config'], env));
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`^FAIL +redis: unreachable at ${target} \\(ECONNREFUSED\\)$`, 'm'));
    // the other connections are still checked
    expect(run.stdout).toMatch(/^OK +jira: /m);
    expect(run.ms).toBeLessThan(20_000);
    expectNoStackTrace(run);
  });

  it('suppressions and sync --once say so in one line and exit 1', async () => {
    const runs = await Promise.all([runCli(['suppressions'], env), runCli(['sync', '--once'], env)]);
    for (const run of runs) {
      expect(run.code, run.stdout + run.stderr).toBe(1);
      expect(run.stderr).toBe(`hubwarden: redis: unreachable at ${target} (ECONNREFUSED)\n`);
      expect(run.stdout).toBe('');
      expectNoStackTrace(run);
    }
  });

  // scan needs only AWS read access: it still lists the repositories, says in one line why it cannot
  // show the tickets it knows from Redis, and exits 0.
  it('scan says so in one line and still lists every failing repository', async () => {
    const run = await runCli(['scan', '--json'], { ...env, LOG_LEVEL: 'warn' });
    expect(run.code, run.stderr).toBe(0);
    // (the AWS SDK may add its own Node.js version notice to stderr)
    expect(run.stderr.split('\n').filter((line) => line.includes('redis'))).toEqual([
      `hubwarden: redis: unreachable at ${target} (ECONNREFUSED); tickets known only from Security Hub notes`,
    ]);
    const failing = sandbox.seed.repositories.filter((repository) => repository.compliance === 'FAILED');
    expect((JSON.parse(run.stdout) as unknown[]).length).toBe(failing.length);
    expectNoStackTrace(run);
  });
});
