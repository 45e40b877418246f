import { Gauge, type LabelValues } from 'prom-client';
import type { Queues } from '../adapters/bullmq/queues.js';
import type { StateStore } from '../core/ports/state-store.js';
import type { Metrics } from './metrics.js';

/** A scrape must answer while Redis hangs: a read that takes longer is left out of that scrape. */
const READ_TIMEOUT_MS = 1_500;

type Sample<T extends string = string> = readonly [labels: LabelValues<T>, value: number];

const withinTimeout = async <T>(read: Promise<T>): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('redis read timed out')), READ_TIMEOUT_MS);
  });
  try {
    return await Promise.race([read, timeout]);
  } finally {
    clearTimeout(timer);
  }
};

/**
 * Sets the gauge from Redis, or, when Redis is down or slow, leaves every series of it out of this scrape
 * (`hubwarden_redis_up` says why), so no dashboard mistakes the last known value, or a zero, for the truth.
 */
export const fromRedis = async <T extends string>(
  gauge: Gauge<T>,
  redisUp: () => boolean,
  read: () => Promise<readonly Sample<T>[]>,
): Promise<void> => {
  const samples = redisUp() ? await withinTimeout(read()).catch(() => undefined) : undefined;
  gauge.reset();
  // an unlabelled gauge resets to 0, which would be a value: remove its one series as well
  if (samples === undefined) gauge.remove({});
  for (const [labels, value] of samples ?? []) gauge.set(labels, value);
};

/** Gauges read from Redis when Prometheus scrapes, so every replica reports the same shared truth. */
export const registerStateGauges = (
  metrics: Metrics,
  queues: Queues,
  state: StateStore,
  clock: () => Date,
  redisUp: () => boolean,
): void => {
  new Gauge({
    name: 'hubwarden_redis_up',
    help: 'Whether this process is connected to Redis (1) or not (0); while 0, the gauges read from Redis (queue jobs, suppressions) are left out',
    registers: [metrics.registry],
    collect() {
      this.set(redisUp() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'hubwarden_queue_jobs',
    help: 'Jobs per queue and state (waiting, delayed, active, failed)',
    labelNames: ['queue', 'state'] as const,
    registers: [metrics.registry],
    async collect() {
      await fromRedis(this, redisUp, async () => {
        const samples: Sample[] = [];
        for (const [name, queue] of Object.entries(queues)) {
          const counts = await queue.getJobCounts('waiting', 'delayed', 'active', 'failed');
          for (const [jobState, count] of Object.entries(counts))
            samples.push([{ queue: name, state: jobState }, count]);
        }
        return samples;
      });
    },
  });
  new Gauge({
    name: 'hubwarden_suppressions',
    help: 'Suppressions by status',
    labelNames: ['status'] as const,
    registers: [metrics.registry],
    async collect() {
      await fromRedis(this, redisUp, async () => {
        const counts: Record<string, number> = { pending: 0, active: 0, revoked: 0, expired: 0 };
        for (const suppression of await state.listSuppressions()) {
          counts[suppression.status] = (counts[suppression.status] ?? 0) + 1;
        }
        return Object.entries(counts).map(([status, count]): Sample => [{ status }, count]);
      });
    },
  });
  new Gauge({
    name: 'hubwarden_suppression_oldest_age_seconds',
    help: 'Age of the oldest pending or active suppression (0 when there is none)',
    registers: [metrics.registry],
    async collect() {
      await fromRedis(this, redisUp, async () => {
        const now = clock().getTime();
        const open = (await state.listSuppressions()).filter(
          (s) => s.status === 'pending' || s.status === 'active',
        );
        const oldest = Math.min(now, ...open.map((suppression) => Date.parse(suppression.requestedAt)));
        return [[{}, (now - oldest) / 1000]];
      });
    },
  });
};
