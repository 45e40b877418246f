import { describe, expect, it } from 'vitest';
import type { Queues } from '../../src/adapters/bullmq/queues.js';
import { createMetrics } from '../../src/app/metrics.js';
import { registerStateGauges } from '../../src/app/state-gauges.js';
import { MemoryStateStore } from '../support/memory-state-store.js';

/** Queues whose counts answer, or (like a Redis that stopped answering) never do. */
const fakeQueues = (answer: boolean): Queues => {
  const queue = {
    getJobCounts: () =>
      answer
        ? Promise.resolve({ waiting: 3, delayed: 0, active: 1, failed: 2 })
        : new Promise<never>(() => undefined),
  };
  return { poll: queue, repository: queue, remediation: queue, suppression: queue } as unknown as Queues;
};

const scrape = async (queues: Queues, redisUp: () => boolean) => {
  const metrics = createMetrics();
  metrics.providerCalls.inc({ service: 'jira', operation: 'createTicket', outcome: 'ok' });
  registerStateGauges(metrics, queues, new MemoryStateStore(), () => new Date(), redisUp);
  const startedAt = Date.now();
  const text = await metrics.registry.metrics();
  return { text, ms: Date.now() - startedAt };
};

describe('gauges read from Redis', () => {
  it('are served while Redis is up, with hubwarden_redis_up 1', async () => {
    const { text } = await scrape(fakeQueues(true), () => true);
    expect(text).toMatch(/^hubwarden_redis_up 1$/m);
    expect(text).toMatch(/^hubwarden_queue_jobs\{queue="repository",state="waiting"\} 3$/m);
    expect(text).toMatch(/^hubwarden_suppression_oldest_age_seconds 0$/m);
  });

  it('are left out, not stale or zero, while Redis is down; the counters stay', async () => {
    const { text } = await scrape(fakeQueues(true), () => false);
    expect(text).toMatch(/^hubwarden_redis_up 0$/m);
    expect(text).not.toMatch(/^hubwarden_queue_jobs\{/m);
    expect(text).not.toMatch(/^hubwarden_suppressions\{/m);
    expect(text).not.toMatch(/^hubwarden_suppression_oldest_age_seconds /m);
    expect(text).toMatch(
      /^hubwarden_provider_calls_total\{service="jira",operation="createTicket",outcome="ok"\} 1$/m,
    );
  });

  it('are left out when Redis stops answering, and the scrape still answers within 2 s', async () => {
    const { text, ms } = await scrape(fakeQueues(false), () => true);
    expect(ms).toBeLessThan(2_000);
    expect(text).not.toMatch(/^hubwarden_queue_jobs\{/m);
    expect(text).toMatch(/^hubwarden_suppressions\{status="active"\} 0$/m);
  });
});
