import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** The service's Prometheus metrics, on a registry of its own (no global state to leak between tests). */
export const createMetrics = () => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hubwarden_process_' });
  return {
    registry,
    jobs: new Counter({
      name: 'hubwarden_jobs_total',
      help: 'Jobs processed, by queue and outcome (completed, failed, retried)',
      labelNames: ['queue', 'outcome'] as const,
      registers: [registry],
    }),
    tickets: new Counter({
      name: 'hubwarden_tickets_total',
      help: 'Ticket changes, by outcome (created, updated, closed, reopened)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    messages: new Counter({
      name: 'hubwarden_messages_total',
      help: 'Chat messages posted or updated',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'hubwarden_queue_depth',
      help: 'Jobs waiting or delayed, by queue',
      labelNames: ['queue'] as const,
      registers: [registry],
    }),
    findings: new Gauge({
      name: 'hubwarden_findings_seen',
      help: 'Findings returned by the last poll',
      registers: [registry],
    }),
  };
};

export type Metrics = ReturnType<typeof createMetrics>;
