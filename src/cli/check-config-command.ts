import { composeService } from '../app/composition-root.js';
import type { Config } from '../config/load-config.js';
import { ecr2TagImmutability } from '../core/controls/ecr2-tag-immutability.js';
import type { Logger } from '../core/ports/logger.js';
import { redisReachable } from './redis-reachable.js';
import { awsChecks } from './checks/aws-checks.js';
import { failCheck, failLine, okLine, type Check } from './checks/check.js';
import { jiraChecks } from './checks/jira-checks.js';
import { slackChecks } from './checks/slack-checks.js';

const CHECK_TIMEOUT_MS = 15_000;

const withTimeout = <T>(promise: Promise<T>): Promise<T> =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS).unref(),
    ),
  ]);

/**
 * `hubwarden check-config`: one line per check, in the order of the "First day" checklist of
 * docs/operations.md (`OK <name>: <what>` or `FAIL <name>: <what> - <fix>`); exit 1 when any fails.
 * Reads only, and prints no secret.
 */
export const checkConfig = async (
  config: Config,
  log: Logger,
  write: (line: string) => void,
): Promise<number> => {
  write(okLine('configuration', 'environment and owners file'));
  const service = composeService(config, log);
  const checks: Check[] = [
    { name: 'redis', run: () => redisReachable(config.env.REDIS_URL) },
    ...awsChecks(service, ecr2TagImmutability.controlId),
    ...jiraChecks(service),
    ...slackChecks(service),
  ];
  const failed = new Set<string>();
  for (const check of checks) {
    try {
      if (check.needs !== undefined && failed.has(check.needs))
        failCheck('not checked', `fix "${check.needs}" first`);
      write(okLine(check.name, await withTimeout(check.run())));
    } catch (error) {
      failed.add(check.name);
      write(failLine(check.name, error));
    }
  }
  await service.close();
  return failed.size > 0 ? 1 : 0;
};
