/**
 * `npm run bench`: the service against the local stand-ins with the providers' documented limits on,
 * reporting drain time against the limits' lower bound, calls per service against the minimum, the cost
 * of an idle poll, peak RSS, growth with the backlog, and Slack acknowledgement latency.
 *
 *   npm run bench                                    default: 600 repositories, then growth at 200
 *   npm run bench -- --repositories 600 --findings 3 --accounts 3 --regions 2 --channels 20
 *   npm run bench -- --limits off --jira-rate 10 --jira-burst 10 --clicks 50
 *   npm run bench -- --only drain|idle|latency|growth|rss|sync [--growth 200,600,2000] [--json out.json]
 *   npm run bench -- --only sync [--heap-flags off]   `hubwarden sync --once` as a user starts it
 *   npm run bench -- --only read [--read-findings 5,10]   the full read alone, 20,000 repositories
 *
 * `--only rss` runs 100,000 findings over 20,000 repositories with the limits off.
 * No figure here is asserted by `npm test`; the benchmark reports.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { buildServiceForBench } from './bench-build.js';
import { runScenario, type ScenarioOptions, type ScenarioResult } from './bench-run.js';
import { growthTable, readTable, summaryTable, syncTable } from './bench-report.js';
import { runFullRead, type ReadResult } from './bench-read.js';
import { runSyncOnce, type SyncResult } from './bench-sync.js';

const { values } = parseArgs({
  options: {
    repositories: { type: 'string', default: '600' },
    findings: { type: 'string', default: '3' },
    accounts: { type: 'string', default: '3' },
    regions: { type: 'string', default: '2' },
    channels: { type: 'string', default: '20' },
    limits: { type: 'string' },
    'jira-rate': { type: 'string', default: '10' },
    'jira-burst': { type: 'string' },
    clicks: { type: 'string', default: '50' },
    only: { type: 'string' },
    growth: { type: 'string' },
    'timeout-seconds': { type: 'string', default: '900' },
    json: { type: 'string' },
    'log-level': { type: 'string', default: 'warn' },
    runtime: { type: 'string', default: 'compiled' },
    'heap-flags': { type: 'string', default: 'on' },
    'read-findings': { type: 'string', default: '5,10' },
  },
});

// The container runs the compiled service; `--runtime tsx` measures `npm start` without a build instead.
if (values.runtime !== 'compiled' && values.runtime !== 'tsx')
  throw new Error('--runtime must be compiled or tsx');
if (values.runtime === 'compiled') buildServiceForBench();
process.env.BENCH_RUNTIME = values.runtime;

const integer = (name: string, value: string | undefined): number => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0)
    throw new Error(`--${name} must be a whole number, got ${value}`);
  return parsed;
};

const say = (line: string) => process.stdout.write(`${line}\n`);
const only = values.only;
if (only !== undefined && !['drain', 'idle', 'latency', 'growth', 'rss', 'sync', 'read'].includes(only)) {
  throw new Error(`--only must be drain, idle, latency, growth, rss, sync or read, got ${only}`);
}
if (values['heap-flags'] !== 'on' && values['heap-flags'] !== 'off')
  throw new Error('--heap-flags must be on or off');
const jiraRate = integer('jira-rate', values['jira-rate']);
const base: ScenarioOptions = {
  repositories: integer('repositories', values.repositories),
  findingsPerRepository: integer('findings', values.findings),
  accounts: integer('accounts', values.accounts),
  regions: integer('regions', values.regions),
  channels: integer('channels', values.channels),
  limits: values.limits !== 'off',
  jiraRate: { perSecond: jiraRate, burst: integer('jira-burst', values['jira-burst'] ?? String(jiraRate)) },
  clicks: only === undefined || only === 'latency' ? integer('clicks', values.clicks) : 0,
  idle: only === undefined || only === 'idle' || only === 'growth' || only === 'rss',
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  timeoutMs: integer('timeout-seconds', values['timeout-seconds']) * 1000,
  logLevel: values['log-level'],
};

const scenario = async (options: ScenarioOptions): Promise<ScenarioResult> => {
  say(
    `\n▶ ${options.repositories} repositories × ${options.findingsPerRepository} findings, limits ${options.limits ? 'on' : 'off'}`,
  );
  return runScenario(options, say);
};

/** `hubwarden sync --once` on the same backlog, started as a user starts it. */
const syncPart = async (options: ScenarioOptions): Promise<SyncResult> => {
  say(
    `\n▶ hubwarden sync --once, ${options.repositories} repositories × ${options.findingsPerRepository} findings`,
  );
  const result = await runSyncOnce(
    {
      ...options,
      runtime: values.runtime === 'tsx' ? 'tsx' : 'compiled',
      // an empty marker tells bin/hubwarden.js the flags are handled: the command runs without them
      extraEnv: values['heap-flags'] === 'off' ? { HUBWARDEN_HEAP_FLAGS: '' } : {},
    },
    say,
  );
  say(syncTable(result, { rssTargetMb: options.repositories > 2_000 ? 300 : 200 }));
  return result;
};

const main = async () => {
  const results: (ScenarioResult | SyncResult | ReadResult)[] = [];
  if (only === 'read') {
    const reads: ReadResult[] = [];
    for (const perRepository of (values['read-findings'] ?? '5,10')
      .split(',')
      .map((value) => integer('read-findings', value))) {
      const options: ScenarioOptions = {
        ...base,
        repositories: values.repositories === '600' ? 20_000 : base.repositories,
        findingsPerRepository: perRepository,
        limits: values.limits === 'on',
        timeoutMs: Math.max(base.timeoutMs, 3_600_000),
      };
      say(`\n▶ full read, ${options.repositories} repositories × ${perRepository} findings`);
      reads.push(await runFullRead(options, say));
    }
    results.push(...reads);
    say(readTable(reads));
  } else if (only === 'sync') {
    results.push(await syncPart(base));
  } else if (only === 'rss') {
    const rss = await scenario({
      ...base,
      repositories: values.repositories === '600' ? 20_000 : base.repositories,
      findingsPerRepository: values.findings === '3' ? 5 : base.findingsPerRepository,
      // the 20,000-repository target figure is taken with the limits off unless asked otherwise
      limits: values.limits === 'on',
      timeoutMs: Math.max(base.timeoutMs, 3_600_000),
    });
    results.push(rss);
    say(summaryTable(rss, { rssTargetMb: 300 }));
  } else if (only === 'growth') {
    const growth: ScenarioResult[] = [];
    for (const size of (values.growth ?? '200,600,2000')
      .split(',')
      .map((value) => integer('growth', value))) {
      growth.push(await scenario({ ...base, repositories: size }));
    }
    results.push(...growth);
    say(growthTable(growth));
  } else {
    const main = await scenario(base);
    results.push(main);
    say(summaryTable(main, { rssTargetMb: 200 }));
    if (only === undefined) {
      // 2,000 repositories take about ten minutes more: `--only growth` or `--growth 200,600,2000`
      const sizes = (values.growth ?? `200,${base.repositories}`)
        .split(',')
        .map((value) => integer('growth', value));
      const growth: ScenarioResult[] = [];
      for (const size of sizes) {
        growth.push(
          size === base.repositories ? main : await scenario({ ...base, repositories: size, clicks: 0 }),
        );
      }
      results.push(...growth.filter((result) => result !== main));
      say(growthTable(growth));
      results.push(await syncPart(base));
    }
  }
  if (values.json) {
    await writeFile(values.json, `${JSON.stringify(results, null, 2)}\n`);
    say(`figures written to ${values.json}`);
  }
};

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
