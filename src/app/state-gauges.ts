import { Gauge } from 'prom-client';
import type { Queues } from '../adapters/bullmq/queues.js';
import type { StateStore } from '../core/ports/state-store.js';
import type { Metrics } from './metrics.js';

/** Gauges read from Redis when Prometheus scrapes, so every replica reports the same shared truth. */
export const registerStateGauges = (
  metrics: Metrics,
  queues: Queues,
  state: StateStore,
  clock: () => Date,
): void => {
  new Gauge({
    name: 'hubwarden_queue_jobs',
    help: 'Jobs per queue and state (waiting, delayed, active, failed)',
    labelNames: ['queue', 'state'] as const,
    registers: [metrics.registry],
    async collect() {
      for (const [name, queue] of Object.entries(queues)) {
        const counts = await queue.getJobCounts('waiting', 'delayed', 'active', 'failed');
        for (const [jobState, count] of Object.entries(counts))
          this.set({ queue: name, state: jobState }, count);
      }
    },
  });
  new Gauge({
    name: 'hubwarden_suppressions',
    help: 'Suppressions by status',
    labelNames: ['status'] as const,
    registers: [metrics.registry],
    async collect() {
      const counts: Record<string, number> = { pending: 0, active: 0, revoked: 0, expired: 0 };
      for (const suppression of await state.listSuppressions()) {
        counts[suppression.status] = (counts[suppression.status] ?? 0) + 1;
      }
      for (const [status, count] of Object.entries(counts)) this.set({ status }, count);
    },
  });
  new Gauge({
    name: 'hubwarden_suppression_oldest_age_seconds',
    help: 'Age of the oldest pending or active suppression (0 when there is none)',
    registers: [metrics.registry],
    async collect() {
      const now = clock().getTime();
      const open = (await state.listSuppressions()).filter(
        (s) => s.status === 'pending' || s.status === 'active',
      );
      const oldest = Math.min(now, ...open.map((suppression) => Date.parse(suppression.requestedAt)));
      this.set((now - oldest) / 1000);
    },
  });
};
