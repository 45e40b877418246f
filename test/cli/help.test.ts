import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS, formatCommandHelp } from '../../src/cli/help.js';
import { parseEnvironment, parseScanEnvironment } from '../../src/config/environment.js';
import { runCli, type CliRun } from '../support/run-cli.js';

const version = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

const requiredBy = (parsed: ReturnType<typeof parseEnvironment> | ReturnType<typeof parseScanEnvironment>) =>
  parsed.ok ? [] : parsed.problems.map((problem) => problem.setting);

/** The "settings it needs" section of a command's help. */
const needsSection = (help: string): string =>
  help.slice(help.indexOf('settings it needs'), help.indexOf('settings it reads'));

describe('hubwarden --help, <command> --help, --version (no configuration needed)', () => {
  // Each run starts the real binary with no settings at all; they run side by side to keep this quick.
  const runs: Record<string, CliRun> = {};
  beforeAll(async () => {
    const argvs = [
      ['--help'],
      ['-h'],
      ['--version'],
      ['scan', '--help'],
      ['help', 'scan'],
      ['run', '-h'],
      ['scan', '--role', 'api'],
      ['scna'],
    ];
    const results = await Promise.all(argvs.map((argv) => runCli(argv, {})));
    argvs.forEach((argv, index) => (runs[argv.join(' ')] = results[index]!));
  }, 120_000);

  it('lists every command, with --help and --version, and exits 0', () => {
    for (const run of [runs['--help']!, runs['-h']!]) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toBe('');
      for (const command of ['run', 'sync', 'scan', 'suppressions', 'check-config'])
        expect(run.stdout).toMatch(new RegExp(`^  ${command} +\\S`, 'm'));
      expect(run.stdout).toContain('--version');
    }
  });

  it('prints the version from package.json', () => {
    expect(runs['--version']).toMatchObject({ code: 0, stdout: `hubwarden ${version}\n` });
  });

  it('prints a command’s help, the same whether asked with --help, -h or `help <command>`', () => {
    expect(runs['scan --help']).toMatchObject({ code: 0, stderr: '' });
    expect(runs['scan --help']!.stdout).toBe(formatCommandHelp(COMMANDS.find((c) => c.name === 'scan')!));
    expect(runs['help scan']!.stdout).toBe(runs['scan --help']!.stdout);
    expect(runs['run -h']!.code).toBe(0);
    expect(runs['run -h']!.stdout).toContain('usage: hubwarden run [--role all|api|worker|scheduler]');
  });

  it('gives each command its synopsis, every option, and every setting it cannot start without', () => {
    const serviceNeeds = requiredBy(parseEnvironment({}));
    expect(serviceNeeds).toEqual(expect.arrayContaining(['AWS_REGION', 'JIRA_BASE_URL', 'SLACK_BOT_TOKEN']));
    for (const command of COMMANDS) {
      const help = formatCommandHelp(command);
      expect(help).toContain(`usage: hubwarden ${command.synopsis}\n`);
      for (const option of Object.keys(command.options)) expect(help).toContain(`--${option}`);
      const required = command.name === 'scan' ? requiredBy(parseScanEnvironment({})) : serviceNeeds;
      for (const setting of required)
        expect(needsSection(help), `${command.name} needs ${setting}`).toContain(setting);
    }
    expect(needsSection(runs['scan --help']!.stdout)).not.toMatch(/JIRA_|SLACK_/);
  });

  it('refuses an option the command does not take, naming it, with that command’s usage, exit 2', () => {
    const bad = runs['scan --role api']!;
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("Unknown option '--role'");
    expect(bad.stderr).toContain('usage: hubwarden scan [--json]');
    expect(runs['scna']).toMatchObject({ code: 2 });
    expect(runs['scna']!.stderr).toContain('unknown command scna');
  });
});
