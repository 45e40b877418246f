import { parseArgs } from 'node:util';
import { composeAuditTrail } from '../app/composition-root.js';
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
import { scan } from './scan-command.js';
import { formatScanTable } from './scan-table.js';
import { formatSummary, syncOnce } from './sync-command.js';
import { commandHelp, formatCommandHelp, packageVersion, usage, type CommandHelp } from './help.js';

const EXIT_USAGE = 2;

/** Columns to fit: the terminal's, else COLUMNS, else no limit (a pipe gets whole cells). */
const terminalWidth = (): number =>
  (process.stdout.isTTY ? process.stdout.columns : undefined) ?? (Number(process.env.COLUMNS) || Infinity);

const usageError = (message: string, command?: CommandHelp): never => {
  const hint = command
    ? `usage: hubwarden ${command.synopsis}\n(hubwarden ${command.name} --help shows its options and settings)\n`
    : usage();
  process.stderr.write(`hubwarden: ${message}\n${hint}`);
  process.exit(EXIT_USAGE);
};

const oneOf = <T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
  name: string,
  command: CommandHelp,
): T => {
  if (value === undefined) return fallback;
  return (allowed as readonly string[]).includes(value)
    ? (value as T)
    : usageError(`--${name} must be one of ${allowed.join('|')}, got "${value}"`, command);
};

/** The command's own options (and --help); anything else is a usage error naming the command. */
const parseOptions = (command: CommandHelp, args: readonly string[]) => {
  try {
    return parseArgs({
      args: [...args],
      options: {
        ...Object.fromEntries(
          Object.entries(command.options).map(([name, option]) => [name, { type: option.type }]),
        ),
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values as Record<string, string | boolean | undefined> & { help?: boolean };
  } catch (error) {
    // parseArgs appends advice about "--" that does not apply here; its first sentence says it all.
    return usageError(`${command.name}: ${(error as Error).message.split('. ')[0]}`, command);
  }
};

const main = async (argv: readonly string[]): Promise<number | undefined> => {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const asked = first === 'help' && rest[0] !== undefined ? commandHelp(rest[0]) : undefined;
    if (first === 'help' && rest[0] !== undefined && !asked) return usageError(`unknown command ${rest[0]}`);
    process.stdout.write(asked ? formatCommandHelp(asked) : usage());
    return 0;
  }
  if (first === '--version' || first === '-v' || first === 'version') {
    process.stdout.write(`hubwarden ${packageVersion()}\n`);
    return 0;
  }
  const help = commandHelp(first);
  if (!help) return usageError(`unknown command ${first}`);
  const values = parseOptions(help, rest);
  if (values.help) {
    process.stdout.write(formatCommandHelp(help));
    return 0;
  }
  const parsed = values as Record<string, string | undefined> & { once?: boolean; json?: boolean };
  const command = help.name;

  switch (command) {
    case 'run': {
      const role = oneOf<Role>(parsed.role, ROLES, 'all', 'role', help);
      const { config, log } = await bootstrap(process.env);
      await runService(config, log, role);
      return undefined;
    }
    case 'sync': {
      if (!parsed.once) usageError('sync needs --once', help);
      const { config, log } = await bootstrap(process.env);
      const { summary, exitCode } = await syncOnce(config, log);
      process.stdout.write(`${formatSummary(summary)}\n`);
      return exitCode;
    }
    case 'scan': {
      const { config, log } = await bootstrap(process.env, loadScanConfig);
      const rows = await scan(config, log);
      process.stdout.write(
        parsed.json ? `${JSON.stringify(rows, null, 2)}\n` : formatScanTable(rows, terminalWidth()),
      );
      return 0;
    }
    case 'suppressions': {
      const format = oneOf<ReportFormat>(parsed.format, ['table', 'json', 'csv'], 'table', 'format', help);
      const status = oneOf<StatusFilter>(
        parsed.status,
        ['active', 'pending', 'revoked', 'expired', 'all'],
        'all',
        'status',
        help,
      );
      const { config } = await bootstrap(process.env);
      const trail = await composeAuditTrail(config);
      try {
        const all = await trail.state.listSuppressions();
        process.stdout.write(formatSuppressions(filterSuppressions(all, status), format));
      } finally {
        trail.close();
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
