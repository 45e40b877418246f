import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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
    findings: new Gauge({
      name: 'hubwarden_findings_seen',
      help: 'ECR.2 findings returned by the last full poll, by compliance status and workflow status',
      labelNames: ['compliance', 'workflow'] as const,
      registers: [registry],
    }),
    findingsSkipped: new Counter({
      name: 'hubwarden_findings_skipped_total',
      help: 'Findings skipped by polls: malformed, other control, no ECR repository',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    repositoriesFailing: new Gauge({
      name: 'hubwarden_repositories_failing',
      help: 'Repositories with an active failed finding, as of the last full poll',
      registers: [registry],
    }),
    fixes: new Counter({
      name: 'hubwarden_fixes_total',
      help: 'Fix button outcomes (succeeded, failed, not_needed)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    timeToFix: new Histogram({
      name: 'hubwarden_time_to_fix_seconds',
      help: 'From the first failed finding of a repository to its verified fix through hubwarden',
      buckets: [3_600, 6 * 3_600, 86_400, 3 * 86_400, 7 * 86_400, 30 * 86_400, 90 * 86_400, 365 * 86_400],
      registers: [registry],
    }),
    findingsUnprocessed: new Counter({
      name: 'hubwarden_findings_unprocessed_total',
      help: 'Findings BatchUpdateFindings left unprocessed, by error code and what hubwarden did (left_alone: refused for good, never retried; retried)',
      labelNames: ['error_code', 'outcome'] as const,
      registers: [registry],
    }),
    providerCalls: new Counter({
      name: 'hubwarden_provider_calls_total',
      help: 'Calls to AWS, Jira and Slack by service, operation and outcome (ok, rate_limited, retryable, permanent)',
      labelNames: ['service', 'operation', 'outcome'] as const,
      registers: [registry],
    }),
  };
};

export type Metrics = ReturnType<typeof createMetrics>;
