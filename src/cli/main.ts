import { parseArgs } from 'node:util';
import { connectRedis } from '../adapters/redis/connection.js';
import { RedisStateStore } from '../adapters/redis/redis-state-store.js';
import {
  filterSuppressions,
  formatSuppressions,
  type ReportFormat,
  type StatusFilter,
} from '../app/suppression-report.js';
import { loadScanConfig } from '../config/load-config.js';
import { bootstrap } from './bootstrap.js';
import { checkConfig } from './check-config-command.js';
import { ROLES, runService, type Role } from './run-command.js';
import { formatScan, scan } from './scan-command.js';
import { formatSummary, syncOnce } from './sync-command.js';

const USAGE = `usage: hubwarden <command>
  run [--role all|api|worker|scheduler]   the service (default role: all)
  sync --once                             one full poll through the queues; waits for every job
  scan [--json]                           read-only inventory of failing repositories
  suppressions [--format table|json|csv] [--status active|pending|revoked|expired|all]
  check-config                            validate configuration and every connection
`;

const EXIT_USAGE = 2;

const usageError = (message: string): never => {
  process.stderr.write(`hubwarden: ${message}\n${USAGE}`);
  process.exit(EXIT_USAGE);
};

const oneOf = <T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
  name: string,
): T => {
  if (value === undefined) return fallback;
  return (allowed as readonly string[]).includes(value)
    ? (value as T)
    : usageError(`--${name} must be one of ${allowed.join('|')}`);
};

const main = async (argv: readonly string[]): Promise<number | undefined> => {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const parsed = (() => {
    try {
      return parseArgs({
        args: [...rest],
        options: {
          role: { type: 'string' },
          once: { type: 'boolean' },
          json: { type: 'boolean' },
          format: { type: 'string' },
          status: { type: 'string' },
        },
        strict: true,
      }).values;
    } catch (error) {
      return usageError((error as Error).message);
    }
  })();

  switch (command) {
    case 'run': {
      const role = oneOf<Role>(parsed.role, ROLES, 'all', 'role');
      const { config, log } = await bootstrap(process.env);
      await runService(config, log, role);
      return undefined;
    }
    case 'sync': {
      if (!parsed.once) usageError('sync needs --once');
      const { config, log } = await bootstrap(process.env);
      const { summary, exitCode } = await syncOnce(config, log);
      process.stdout.write(`${formatSummary(summary)}\n`);
      return exitCode;
    }
    case 'scan': {
      const { config, log } = await bootstrap(process.env, loadScanConfig);
      const rows = await scan(config, log);
      process.stdout.write(parsed.json ? `${JSON.stringify(rows, null, 2)}\n` : formatScan(rows));
      return 0;
    }
    case 'suppressions': {
      const format = oneOf<ReportFormat>(parsed.format, ['table', 'json', 'csv'], 'table', 'format');
      const status = oneOf<StatusFilter>(
        parsed.status,
        ['active', 'pending', 'revoked', 'expired', 'all'],
        'all',
        'status',
      );
      const { config } = await bootstrap(process.env);
      const redis = connectRedis(config.env.REDIS_URL, {
        cluster: config.env.REDIS_CLUSTER,
        maxRetriesPerRequest: 2,
      });
      try {
        const all = await new RedisStateStore(redis, config.env.QUEUE_PREFIX).listSuppressions();
        process.stdout.write(formatSuppressions(filterSuppressions(all, status), format));
      } finally {
        redis.disconnect();
      }
      return 0;
    }
    case 'check-config': {
      const { config, log } = await bootstrap(process.env);
      return checkConfig(config, log, (line) => process.stdout.write(`${line}\n`));
    }
    default:
      return usageError(`unknown command ${command}`);
  }
};

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`hubwarden: ${(error as Error).message ?? String(error)}\n`);
    process.exit(1);
  },
);
