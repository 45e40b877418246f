import { readFile } from 'node:fs/promises';
import { digestOf } from '../core/hash.js';
import type { OwnersPolicy } from '../core/owners/owners-policy.js';
import { parseEnvironment, type Environment, type SettingProblem } from './environment.js';
import { parseOwnersFile } from './owners-file.js';

export interface Config {
  readonly env: Environment;
  readonly policy: OwnersPolicy;
  /** digest of everything that changes decisions (owners file, transitions, project) */
  readonly version: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly SettingProblem[]) {
    super(
      `bad configuration:\n${problems.map((problem) => `  ${problem.setting} ${problem.problem}`).join('\n')}`,
    );
  }
}

/** Reads the environment and the owners file; throws one `ConfigError` naming every problem. */
export const loadConfig = async (env: Readonly<Record<string, string | undefined>>): Promise<Config> => {
  const parsedEnv = parseEnvironment(env);
  const path = (parsedEnv.ok ? parsedEnv.value.HUBWARDEN_CONFIG : env.HUBWARDEN_CONFIG) || './hubwarden.yml';
  const problems: SettingProblem[] = parsedEnv.ok ? [] : [...parsedEnv.problems];
  let source: string | undefined;
  try {
    source = await readFile(path, 'utf8');
  } catch {
    problems.push({ setting: 'HUBWARDEN_CONFIG', problem: `cannot read owners file ${path}` });
  }
  const parsedFile = source === undefined ? undefined : parseOwnersFile(source);
  if (parsedFile && !parsedFile.ok) problems.push(...parsedFile.problems);
  if (!parsedEnv.ok || !parsedFile?.ok || problems.length > 0) throw new ConfigError(problems);
  const { value } = parsedEnv;
  return {
    env: value,
    policy: parsedFile.value,
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
