import type { Logger } from '../core/ports/logger.js';
import type { RequestHandler } from '../http/server.js';
import type { Service } from './composition-root.js';

/** Slack interactivity arrives with the Slack issue; until then /slack/events answers 404. */
export const createSlackEdge = (_service: Service, _log: Logger): RequestHandler | undefined => undefined;
