import { bullmqWorkQueue } from '../adapters/bullmq/bullmq-work-queue.js';
import { createSlackApp } from '../adapters/slack/index.js';
import { digest } from '../core/hash.js';
import type { Logger } from '../core/ports/logger.js';
import { createInteractions } from '../core/use-cases/interactions.js';
import type { RequestHandler } from '../http/server.js';
import type { Service } from './composition-root.js';

const STOP_DEADLINE_MS = 3_000;

export interface SlackEdge {
  readonly transport: 'http' | 'socket';
  /** `POST /slack/events` over HTTP; absent in Socket Mode (nothing is served to Slack) */
  readonly handler: RequestHandler | undefined;
  /** Socket Mode: connects, and resolves once Slack said hello; over HTTP nothing to do */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Slack's way in: Bolt driving the core's interactions, over `POST /slack/events` (every request verified
 * with the signing secret) or, when `SLACK_APP_TOKEN` is set, over a Socket Mode WebSocket.
 */
export const createSlackEdge = (service: Service, log: Logger): SlackEdge => {
  const { env } = service.config;
  const logger = log.child({ component: 'slack' });
  const slack = createSlackApp({
    ...(env.SLACK_APP_TOKEN
      ? { appToken: env.SLACK_APP_TOKEN }
      : { signingSecret: env.SLACK_SIGNING_SECRET }),
    token: env.SLACK_BOT_TOKEN,
    apiUrl: env.SLACK_API_URL,
    ...(service.slackDispatcher ? { dispatcher: service.slackDispatcher } : {}),
    interactions: createInteractions(service.deps, bullmqWorkQueue(service.queues)),
    logger,
    reviewChannel: env.SLACK_REVIEW_CHANNEL,
    // Replays are refused across every api process, not just the one that saw the first delivery.
    firstDelivery: (signature, ttlMs) =>
      service.deps.state.claim(`slack-request:${digest(signature, 24)}`, ttlMs),
  });
  return {
    transport: slack.transport,
    handler: slack.requestListener,
    start: async () => {
      if (slack.transport !== 'socket') return;
      await slack.start();
      logger.info({ transport: 'socket' }, 'Slack Socket Mode connected');
    },
    // a connection that no longer answers (network gone) must not hold the shutdown
    stop: async () => {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, STOP_DEADLINE_MS);
      });
      await Promise.race([slack.stop(), deadline]);
      clearTimeout(timer);
    },
  };
};
