import { Gauge } from 'prom-client';
import type { StateStore } from '../core/ports/state-store.js';
import type { Metrics } from './metrics.js';
import { fromRedis } from './state-gauges.js';

/**
 * What is failing for good, per repository and provider, read from Redis when Prometheus scrapes (one
 * hash read). A series exists only while its failure lasts; its value is the failed attempts in a row.
 */
export const registerFailureGauges = (
  metrics: Metrics,
  state: Pick<StateStore, 'listFailures'>,
  redisUp: () => boolean,
): void => {
  new Gauge({
    name: 'hubwarden_repository_provider_failures',
    help: "Failed attempts in a row of one provider's part of a repository's work (only while it fails)",
    labelNames: ['repository', 'provider', 'code'] as const,
    registers: [metrics.registry],
    async collect() {
      await fromRedis(this, redisUp, async () =>
        [...(await state.listFailures()).values()].flatMap((entry) =>
          Object.entries(entry.providers).map(
            ([provider, failure]) =>
              [{ repository: entry.repositoryArn, provider, code: failure.code }, failure.attempts] as const,
          ),
        ),
      );
    },
  });
  new Gauge({
    name: 'hubwarden_repositories_failing_at_provider',
    help: 'Repositories whose work a provider refuses (or failed on its last attempt), by provider',
    labelNames: ['provider'] as const,
    registers: [metrics.registry],
    async collect() {
      await fromRedis(this, redisUp, async () => {
        const counts: Record<string, number> = {};
        for (const entry of (await state.listFailures()).values()) {
          for (const provider of Object.keys(entry.providers)) counts[provider] = (counts[provider] ?? 0) + 1;
        }
        return Object.entries(counts).map(([provider, count]) => [{ provider }, count] as const);
      });
    },
  });
};
