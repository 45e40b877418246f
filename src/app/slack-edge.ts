import { bullmqWorkQueue } from '../adapters/bullmq/bullmq-work-queue.js';
import { createSlackApp } from '../adapters/slack/index.js';
import { digest } from '../core/hash.js';
import type { Logger } from '../core/ports/logger.js';
import { createInteractions } from '../core/use-cases/interactions.js';
import type { RequestHandler } from '../http/server.js';
import type { Service } from './composition-root.js';

/** POST /slack/events: Bolt, verifying every request, driving the core's interactions. */
export const createSlackEdge = (service: Service, log: Logger): RequestHandler => {
  const { env } = service.config;
  const slack = createSlackApp({
    signingSecret: env.SLACK_SIGNING_SECRET,
    token: env.SLACK_BOT_TOKEN,
    apiUrl: env.SLACK_API_URL,
    interactions: createInteractions(service.deps, bullmqWorkQueue(service.queues)),
    logger: log.child({ component: 'slack' }),
    reviewChannel: env.SLACK_REVIEW_CHANNEL,
    // Replays are refused across every api process, not just the one that saw the first delivery.
    firstDelivery: (signature, ttlMs) =>
      service.deps.state.claim(`slack-request:${digest(signature, 24)}`, ttlMs),
  });
  return slack.requestListener;
};
