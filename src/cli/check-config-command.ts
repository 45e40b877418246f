import { composeService } from '../app/composition-root.js';
import type { Config } from '../config/load-config.js';
import { ecr2TagImmutability } from '../core/controls/ecr2-tag-immutability.js';
import type { Logger } from '../core/ports/logger.js';
import { redisReachable } from './redis-reachable.js';

interface Check {
  readonly name: string;
  readonly run: () => Promise<string>;
}

const CHECK_TIMEOUT_MS = 15_000;

const withTimeout = <T>(promise: Promise<T>): Promise<T> =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS).unref(),
    ),
  ]);

/** `hubwarden check-config`: one line per connection; exit 1 when any fails. Prints no secret. */
export const checkConfig = async (
  config: Config,
  log: Logger,
  write: (line: string) => void,
): Promise<number> => {
  write('ok    configuration (environment and owners file)');
  const service = composeService(config, log);
  const checks: Check[] = [
    { name: 'redis', run: () => redisReachable(config.env.REDIS_URL) },
    {
      name: 'aws sts',
      run: async () => {
        const identity = await service.aws.callerIdentity();
        return `caller ${identity.arn}`;
      },
    },
    {
      name: 'security hub',
      run: async () => {
        const pages = service.aws.findingsSource.pages({ controlId: ecr2TagImmutability.controlId });
        const first = pages[Symbol.asyncIterator]();
        const page = await first.next();
        await first.return?.();
        return `GetFindings answered (${page.done ? 0 : page.value.findings.length} findings on the first page)`;
      },
    },
    {
      name: 'jira',
      run: async () => {
        const me = await service.jira.myself();
        return `authenticated as ${me.displayName ?? me.accountId ?? me.userName ?? 'unknown'}`;
      },
    },
    {
      name: 'slack',
      run: async () => {
        const identity = await service.slack.identity();
        return `auth.test ok (team ${identity.teamId}, bot user ${identity.userId})`;
      },
    },
  ];
  let failed = 0;
  for (const check of checks) {
    try {
      write(`ok    ${check.name}: ${await withTimeout(check.run())}`);
    } catch (error) {
      failed += 1;
      write(`FAIL  ${check.name}: ${(error as Error).message}`);
    }
  }
  await service.close();
  return failed > 0 ? 1 : 0;
};
