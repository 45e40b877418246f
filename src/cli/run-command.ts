import type { Worker } from 'bullmq';
import type { Server } from 'node:http';
import { composeService, type Service } from '../app/composition-root.js';
import { pipelineProcessors, startWorkers, type WorkerOptions } from '../app/workers.js';
import { createHttpServer } from '../http/server.js';
import type { Config } from '../config/load-config.js';
import type { Logger } from '../core/ports/logger.js';
import { createSlackEdge } from '../app/slack-edge.js';

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
  /** stop taking work, finish in-flight jobs (or hand them back), close connections */
  stop(): Promise<void>;
}

/**
 * The poll scheduler (one entry however many replicas upsert it) and a full read now (one per minute at
 * most, whatever the number of replicas); the first scheduled poll comes one interval after it.
 */
const schedulePolls = async (service: Service, every: number, reason: string): Promise<void> => {
  await service.queues.poll.upsertJobScheduler(
    'poll',
    { every, startDate: Date.now() + every },
    { name: 'poll', data: { mode: 'auto' } },
  );
  await service.queues.poll.add(
    'poll',
    { mode: 'full' },
    { jobId: `${reason}-${Math.floor(Date.now() / 60_000)}` },
  );
};

/** Starts the parts of the service that `role` asks for; every role serves the health routes. */
export const startService = async (config: Config, log: Logger, role: Role): Promise<RunningService> => {
  const service = composeService(config, log);
  const { env } = config;
  const prefix = env.HUBWARDEN_DRY_RUN ? `${env.QUEUE_PREFIX}:dry-run` : env.QUEUE_PREFIX;
  const options = workerOptions(config);
  const workers: Worker[] =
    role === 'all' || role === 'worker'
      ? startWorkers(
          service.redis,
          prefix,
          service.queues,
          pipelineProcessors(service.deps, service.queues, options),
          options,
          service.metrics,
        )
      : [];
  let watchdog: NodeJS.Timeout | undefined;
  if (role === 'all' || role === 'scheduler') {
    await schedulePolls(service, env.POLL_INTERVAL_SECONDS * 1_000, 'startup');
    // Redis lost (flushed, failed over empty) takes the scheduler with it: put it back, with a full read.
    watchdog = setInterval(
      () => {
        void service.queues.poll
          .getJobScheduler('poll')
          .then(async (scheduler) => {
            if (scheduler) return;
            log.warn({}, 'the poll scheduler was gone (Redis lost?): restored, full read queued');
            await schedulePolls(service, env.POLL_INTERVAL_SECONDS * 1_000, 'restore');
          })
          .catch((error: unknown) => log.warn({ err: error }, 'poll scheduler check failed'));
      },
      Math.min(60_000, env.POLL_INTERVAL_SECONDS * 1_000),
    );
    watchdog.unref();
  }
  // Every role serves /healthz, /readyz and /metrics (probes); only api serves Slack and /api/*.
  const serving = role === 'all' || role === 'api';
  const slackEdge = serving ? createSlackEdge(service, log) : undefined;
  const server: Server = createHttpServer({
    log,
    metrics: service.metrics,
    ready: async () => (await service.redis.ping()) === 'PONG',
    slack: slackEdge?.handler,
    suppressions: () => service.deps.state.listSuppressions(),
    apiToken: serving ? env.HUBWARDEN_API_TOKEN : undefined,
  });
  await new Promise<void>((resolve) => server.listen(env.PORT, '0.0.0.0', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : env.PORT;
  log.info({ role, port, dryRun: env.HUBWARDEN_DRY_RUN }, 'hubwarden running');
  // Socket Mode connects (and reconnects) in the background: tickets and messages do not wait for Slack.
  const slackConnected = slackEdge?.start().catch((error: unknown) => {
    log.error({ err: error }, 'Slack Socket Mode could not connect: buttons and forms are not received');
  });
  return {
    service,
    port,
    slackConnected: slackConnected ?? Promise.resolve(),
    stop: async () => {
      clearInterval(watchdog);
      await slackEdge?.stop().catch(() => undefined);
      server.close();
      server.closeAllConnections();
      await Promise.all(workers.map((worker) => worker.close()));
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
