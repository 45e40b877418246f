import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string): string => readFileSync(root + file, 'utf8');

type Obj = { [key: string]: unknown };
const get = (value: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>(
    (node, key) => (typeof node === 'object' && node !== null ? (node as Obj)[key] : undefined),
    value,
  );

/** Dockerfile instructions with line continuations joined, comments dropped, grouped by stage. */
function dockerStages(text: string): { from: string; instructions: string[] }[] {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages: { from: string; instructions: string[] }[] = [];
  for (const line of lines) {
    if (/^FROM\s/i.test(line)) stages.push({ from: line, instructions: [] });
    else stages.at(-1)?.instructions.push(line);
  }
  return stages;
}

describe('Dockerfile', () => {
  const stages = dockerStages(read('Dockerfile'));
  const runtime = stages.at(-1)!;
  const has = (pattern: RegExp): boolean => runtime.instructions.some((i) => pattern.test(i));

  it('builds with all dependencies and ships production dependencies only', () => {
    expect(stages.map((s) => s.from)).toEqual([
      'FROM node:${NODE_VERSION}-bookworm-slim AS build',
      'FROM node:${NODE_VERSION}-bookworm-slim AS prod-deps',
      'FROM node:${NODE_VERSION}-bookworm-slim AS runtime',
    ]);
    const [build, prodDeps] = stages;
    expect(build!.instructions).toEqual(
      expect.arrayContaining([expect.stringMatching(/npm ci$/), 'RUN npm run build']),
    );
    expect(prodDeps!.instructions).toContainEqual(expect.stringMatching(/npm ci --omit=dev$/));
    expect(has(/^COPY --from=prod-deps \/app\/node_modules /)).toBe(true);
    expect(has(/^COPY --from=build \/app\/dist /)).toBe(true);
    expect(has(/^COPY bin /)).toBe(true);
    expect(has(/npm (ci|install)/)).toBe(false);
  });

  it('runs as node in production mode, with a node-based health check and a clean stop', () => {
    expect(has(/^ENV NODE_ENV=production\b/)).toBe(true);
    expect(has(/^USER node$/)).toBe(true);
    expect(has(/^EXPOSE 3000$/)).toBe(true);
    expect(has(/^STOPSIGNAL SIGTERM$/)).toBe(true);
    expect(runtime.instructions).toContain('ENTRYPOINT ["node", "bin/hubwarden.js"]');
    expect(runtime.instructions).toContain('CMD ["run"]');
    const healthcheck = runtime.instructions.find((i) => i.startsWith('HEALTHCHECK'));
    expect(healthcheck).toMatch(/CMD \["node", "-e", ".*\/healthz.*"\]$/);
    // with METRICS_PORT set, /healthz answers only there
    expect(healthcheck).toContain('process.env.METRICS_PORT||process.env.PORT||3000');
    const user = runtime.instructions.findIndex((i) => i.startsWith('USER'));
    const entrypoint = runtime.instructions.findIndex((i) => i.startsWith('ENTRYPOINT'));
    expect(user).toBeLessThan(entrypoint);
  });

  it('sizes the V8 heap as `npm start` and the benchmark do, through NODE_OPTIONS an operator can replace', () => {
    const heapFlags = '--max-semi-space-size=2 --max-old-space-size=256';
    expect(runtime.instructions).toContain(`ENV NODE_OPTIONS="${heapFlags}"`);
    const start = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.start;
    // the operator's own NODE_OPTIONS come last, so theirs win (V8 takes the last value of a flag)
    expect(start).toBe(`NODE_OPTIONS="${heapFlags} \${NODE_OPTIONS:-}" node bin/hubwarden.js run`);
    expect(read('scripts/bench-child.ts')).toContain(`'${heapFlags}'`);
    // and bin/hubwarden.js adds them to any command started without them
    expect(read('bin/heap-flags.js')).toContain(
      `HEAP_FLAGS = [${heapFlags
        .split(' ')
        .map((flag) => `'${flag}'`)
        .join(', ')}]`,
    );
  });

  it('does not leave out of the build context what it copies', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    for (const needed of ['src', 'bin', 'workers', 'package.json', 'package-lock.json', 'tsconfig.json']) {
      expect(ignored).not.toContain(needed);
    }
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.env', '.git']));
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true }) as Obj;
  const service = (name: string): unknown => get(compose, 'services', name);

  it('runs Redis 7 with AOF, noeviction, a volume and a ping health check', () => {
    const redis = service('redis');
    expect(String(get(redis, 'image'))).toMatch(/^redis:7/);
    const command = (get(redis, 'command') as string[]).join(' ');
    expect(command).toContain('--appendonly yes');
    expect(command).toContain('--maxmemory-policy noeviction');
    expect(get(redis, 'volumes')).toEqual(['redis-data:/data']);
    expect(get(redis, 'healthcheck', 'test')).toEqual(['CMD', 'redis-cli', 'ping']);
  });

  it.each([
    ['api', 'api'],
    ['worker', 'worker'],
    ['scheduler', 'scheduler'],
  ])('%s runs hubwarden --role %s with the shared settings', (name, role) => {
    const svc = service(name);
    expect(get(svc, 'command')).toEqual(['run', '--role', role]);
    expect(get(svc, 'env_file')).toBe('.env');
    expect(get(svc, 'environment', 'HUBWARDEN_CONFIG')).toBe('/config/hubwarden.yml');
    expect(get(svc, 'volumes')).toContain('./hubwarden.yml:/config/hubwarden.yml:ro');
    expect(get(svc, 'depends_on', 'redis', 'condition')).toBe('service_healthy');
    expect(get(svc, 'stop_grace_period')).toBe('35s');
  });

  it('publishes only the api port and runs two workers', () => {
    expect(get(service('api'), 'ports')).toEqual(['3000:3000']);
    expect(get(service('worker'), 'ports')).toBeUndefined();
    expect(get(service('scheduler'), 'ports')).toBeUndefined();
    expect(get(service('worker'), 'deploy', 'replicas')).toBe(2);
  });
});

describe('.env.example', () => {
  const DOCUMENTED_VARIABLES = [
    'AWS_REGION',
    'SECURITYHUB_REGION',
    'AWS_ENDPOINT_URL_SECURITYHUB',
    'AWS_ENDPOINT_URL_ECR',
    'AWS_ENDPOINT_URL_STS',
    'AWS_ENDPOINT_URL',
    'MEMBER_ROLE_ARN',
    'MEMBER_ROLE_EXTERNAL_ID',
    'REDIS_URL',
    'QUEUE_PREFIX',
    'JIRA_BASE_URL',
    'JIRA_SITE_URL',
    'JIRA_EXTRA_FIELDS',
    'JIRA_EMAIL',
    'JIRA_API_TOKEN',
    'JIRA_PAT',
    'JIRA_DEPLOYMENT',
    'JIRA_PROJECT',
    'JIRA_ISSUE_TYPE',
    'JIRA_DONE_TRANSITION',
    'JIRA_SUPPRESSED_TRANSITION',
    'JIRA_REOPEN_TRANSITION',
    'SLACK_BOT_TOKEN',
    'SLACK_SIGNING_SECRET',
    'SLACK_API_URL',
    'SLACK_REVIEW_CHANNEL',
    'PORT',
    'POLL_INTERVAL_SECONDS',
    'HUBWARDEN_CONFIG',
    'HUBWARDEN_API_TOKEN',
    'HUBWARDEN_DRY_RUN',
    'LOG_LEVEL',
  ];
  const entries = read('.env.example')
    .split('\n')
    .map((line) => /^#?\s*([A-Z][A-Z0-9_]*)=(.*)$/.exec(line))
    .filter((match) => match !== null)
    .map((match) => ({ name: match[1]!, value: match[2]! }));

  it('names every documented setting', () => {
    const names = new Set(entries.map((e) => e.name));
    for (const variable of DOCUMENTED_VARIABLES) expect(names.has(variable), variable).toBe(true);
  });

  it('holds placeholders, not secrets', () => {
    for (const { name, value } of entries.filter((e) =>
      /TOKEN|SECRET|_PAT$|EXTERNAL_ID|ACCESS_KEY/.test(e.name),
    )) {
      expect(value === '' || /<[^>]+>/.test(value), name).toBe(true);
      expect(value, name).not.toMatch(/xox[abpr]-[0-9A-Za-z]|ATATT|[A-Za-z0-9+/]{32,}/);
    }
  });
});
