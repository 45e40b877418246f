import { Gauge } from 'prom-client';
import type { RepositoryFailures, StateStore } from '../core/ports/state-store.js';
import type { Metrics } from './metrics.js';

/**
 * What is failing for good, per repository and provider, read from Redis when Prometheus scrapes (one
 * hash read). A series exists only while its failure lasts; its value is the failed attempts in a row.
 */
export const registerFailureGauges = (metrics: Metrics, state: Pick<StateStore, 'listFailures'>): void => {
  // Without Redis there is nothing to report here; the rest of /metrics still answers.
  const readFailures = () => state.listFailures().catch(() => new Map<string, RepositoryFailures>());
  new Gauge({
    name: 'hubwarden_repository_provider_failures',
    help: "Failed attempts in a row of one provider's part of a repository's work (only while it fails)",
    labelNames: ['repository', 'provider', 'code'] as const,
    registers: [metrics.registry],
    async collect() {
      this.reset();
      const failures = await readFailures();
      for (const entry of failures.values()) {
        for (const [provider, failure] of Object.entries(entry.providers)) {
          this.set({ repository: entry.repositoryArn, provider, code: failure.code }, failure.attempts);
        }
      }
    },
  });
  new Gauge({
    name: 'hubwarden_repositories_failing_at_provider',
    help: 'Repositories whose work a provider refuses (or failed on its last attempt), by provider',
    labelNames: ['provider'] as const,
    registers: [metrics.registry],
    async collect() {
      this.reset();
      const failures = await readFailures();
      const counts: Record<string, number> = {};
      for (const entry of failures.values()) {
        for (const provider of Object.keys(entry.providers)) counts[provider] = (counts[provider] ?? 0) + 1;
      }
      for (const [provider, count] of Object.entries(counts)) this.set({ provider }, count);
    },
  });
};
