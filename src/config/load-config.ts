import { readFile } from 'node:fs/promises';
import { digestOf } from '../core/hash.js';
import type { OwnersPolicy } from '../core/owners/owners-policy.js';
import {
  parseEnvironment,
  parseScanEnvironment,
  type Environment,
  type ScanEnvironment,
  type SettingProblem,
} from './environment.js';
import { parseOwnersFile } from './owners-file.js';

export interface Config {
  readonly env: Environment;
  readonly policy: OwnersPolicy;
  /** digest of everything that changes decisions (owners file, transitions, project) */
  readonly version: string;
}

/** What read-only AWS work (`hubwarden scan`) needs: AWS settings and the owners file. */
export interface ScanConfig {
  readonly env: ScanEnvironment;
  readonly policy: OwnersPolicy;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly SettingProblem[]) {
    super(
      `bad configuration:\n${problems.map((problem) => `  ${problem.setting} ${problem.problem}`).join('\n')}`,
    );
  }
}

type Parsed<T> = { ok: true; value: T } | { ok: false; problems: SettingProblem[] };

/**
 * Parses the environment with `parse` and reads the owners file it names; throws one `ConfigError`
 * naming every problem of both.
 */
const loadWith = async <T extends { HUBWARDEN_CONFIG: string }>(
  env: Readonly<Record<string, string | undefined>>,
  parse: (env: Readonly<Record<string, string | undefined>>) => Parsed<T>,
): Promise<{ env: T; policy: OwnersPolicy; source: string }> => {
  const parsedEnv = parse(env);
  const path = (parsedEnv.ok ? parsedEnv.value.HUBWARDEN_CONFIG : env.HUBWARDEN_CONFIG) || './hubwarden.yml';
  const problems: SettingProblem[] = parsedEnv.ok ? [] : [...parsedEnv.problems];
  let source: string | undefined;
  try {
    source = await readFile(path, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    problems.push({ setting: 'HUBWARDEN_CONFIG', problem: `cannot read owners file ${path} (${reason})` });
  }
  const parsedFile = source === undefined ? undefined : parseOwnersFile(source);
  if (parsedFile && !parsedFile.ok) problems.push(...parsedFile.problems);
  if (!parsedEnv.ok || !parsedFile?.ok || source === undefined || problems.length > 0)
    throw new ConfigError(problems);
  return { env: parsedEnv.value, policy: parsedFile.value, source };
};

/** Reads the environment and the owners file; throws one `ConfigError` naming every problem. */
export const loadConfig = async (env: Readonly<Record<string, string | undefined>>): Promise<Config> => {
  const { env: value, policy, source } = await loadWith(env, parseEnvironment);
  return {
    env: value,
    policy,
    version: digestOf([
      source,
      value.JIRA_PROJECT,
      value.JIRA_DEPLOYMENT,
      value.JIRA_DONE_TRANSITION,
      value.JIRA_SUPPRESSED_TRANSITION,
      value.JIRA_REOPEN_TRANSITION,
    ]),
  };
};

/** Like `loadConfig`, for read-only AWS work: Jira and Slack settings are neither needed nor checked. */
export const loadScanConfig = async (
  env: Readonly<Record<string, string | undefined>>,
): Promise<ScanConfig> => {
  const { env: value, policy } = await loadWith(env, parseScanEnvironment);
  return { env: value, policy };
};
