import type { Worker } from 'bullmq';
import { composeService, type Service } from '../app/composition-root.js';
import { pipelineProcessors, startWorkers, type WorkerOptions } from '../app/workers.js';
import { listenHttp } from '../http/server.js';
import type { Config } from '../config/load-config.js';
import type { Logger } from '../core/ports/logger.js';
import { createSlackEdge } from '../app/slack-edge.js';
import { pollSchedulerPresent, schedulePolls } from '../adapters/bullmq/poll-schedule.js';

export type Role = 'all' | 'api' | 'worker' | 'scheduler';
export const ROLES: readonly Role[] = ['all', 'api', 'worker', 'scheduler'];

const SHUTDOWN_DEADLINE_MS = 25_000;

export const workerOptions = (config: Config): WorkerOptions => ({
  concurrency: 8,
  pollOverlapMs: 5 * 60_000,
  fullReconcileEveryMs: Math.max(6 * 3_600_000, config.env.POLL_INTERVAL_SECONDS * 1_000 * 12),
});

export interface RunningService {
  readonly service: Service;
  /** resolves once Slack interactions can arrive (Socket Mode: after Slack's hello) */
  readonly slackConnected: Promise<void>;
  /** the port the HTTP server listens on (useful with PORT=0) */
  readonly port: number;
  /** resolves once the workers and the poll scheduler run (they wait for Redis) */
  readonly working: Promise<void>;
  /** where `/healthz`, `/readyz`, `/metrics` answer: `port`, or METRICS_PORT's own server */
  readonly metricsPort: number;
  /** stop taking work, finish in-flight jobs (or hand them back), close connections */
  stop(): Promise<void>;
}

/**
 * Starts the parts of the service that `role` asks for; every role serves the health routes.
 * The HTTP server answers at once (`/healthz` 200, `/readyz` 503 until Redis answers); the workers and
 * the poll scheduler start when Redis is up, however long that takes (`working` resolves then).
 */
export const startService = async (config: Config, log: Logger, role: Role): Promise<RunningService> => {
  const service = composeService(config, log);
  const { env } = config;
  const health = service.redisHealth;
  const prefix = env.HUBWARDEN_DRY_RUN ? `${env.QUEUE_PREFIX}:dry-run` : env.QUEUE_PREFIX;
  const options = workerOptions(config);
  let workers: Worker[] = [];
  let watchdog: NodeJS.Timeout | undefined;
  let stopping = false;
  const startWork = async (): Promise<void> => {
    await health.whenUp();
    if (stopping) return;
    if (role === 'all' || role === 'worker') {
      workers = startWorkers(
        service.redis,
        prefix,
        service.queues,
        pipelineProcessors(service.deps, service.queues, options),
        options,
        service.metrics,
      );
      for (const worker of workers) worker.on('error', health.report);
    }
    if (role === 'all' || role === 'scheduler') {
      await schedulePolls(service.queues, env.POLL_INTERVAL_SECONDS * 1_000, 'startup');
      if (stopping) return;
      // Redis lost (flushed, failed over empty) takes the scheduler with it: put it back, with a full read.
      watchdog = setInterval(
        () => {
          if (!health.isUp()) return;
          void pollSchedulerPresent(service.queues)
            .then(async (present) => {
              if (present) return;
              log.warn({}, 'the poll scheduler was gone (Redis lost?): restored, full read queued');
              await schedulePolls(service.queues, env.POLL_INTERVAL_SECONDS * 1_000, 'restore');
            })
            .catch((error: unknown) => log.warn({ err: error }, 'poll scheduler check failed'));
        },
        Math.min(60_000, env.POLL_INTERVAL_SECONDS * 1_000),
      );
      watchdog.unref();
    }
    log.info({ role }, 'working: Redis answered');
  };
  // Every role serves /healthz, /readyz and /metrics (probes); only api serves Slack and /api/*.
  const serving = role === 'all' || role === 'api';
  const slackEdge = serving ? createSlackEdge(service, log) : undefined;
  const http = await listenHttp(
    {
      log,
      metrics: service.metrics,
      ready: () => health.answers(),
      slack: slackEdge?.handler,
      suppressions: () => service.deps.state.listSuppressions(),
      apiToken: serving ? env.HUBWARDEN_API_TOKEN : undefined,
    },
    {
      port: env.PORT,
      // the same port as PORT means one server for everything
      metricsPort: env.METRICS_PORT === env.PORT ? undefined : env.METRICS_PORT,
    },
  );
  const { port, metricsPort } = http;
  log.info({ role, port, metricsPort, dryRun: env.HUBWARDEN_DRY_RUN }, 'hubwarden running');
  const working = startWork().catch((error: unknown) => {
    log.error({ err: error }, 'could not start the workers or the poll scheduler');
  });
  // Socket Mode connects (and reconnects) in the background: tickets and messages do not wait for Slack.
  const slackConnected = slackEdge?.start().catch((error: unknown) => {
    log.error({ err: error }, 'Slack Socket Mode could not connect: buttons and forms are not received');
  });
  return {
    service,
    port,
    metricsPort,
    working,
    slackConnected: slackConnected ?? Promise.resolve(),
    stop: async () => {
      stopping = true;
      clearInterval(watchdog);
      await slackEdge?.stop().catch(() => undefined);
      http.close();
      // Without Redis an in-flight job can neither finish nor be handed back: its lock expires and
      // another worker takes it over once Redis is back (the handlers are idempotent).
      const force = !health.isUp();
      await Promise.all(workers.map((worker) => worker.close(force)));
      await service.close();
    },
  };
};

/**
 * `hubwarden run`: the HTTP server, the workers and the poll scheduler, or one of them per `--role`.
 * SIGTERM/SIGINT: stop taking work, let in-flight jobs finish (or hand them back), exit 0 within 30 s.
 */
export const runService = async (config: Config, log: Logger, role: Role): Promise<void> => {
  const running = await startService(config, log, role);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: no new work, finishing in-flight jobs');
    const deadline = setTimeout(() => {
      log.warn({}, 'shutdown deadline reached: in-flight jobs are handed back to the queue');
      process.exit(0);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    await running.stop();
    clearTimeout(deadline);
    log.info({}, 'stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
};
