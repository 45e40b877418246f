import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

import type {
  Fault,
  RateLimit,
  RecordedCall,
  StandInUser,
  StoredEphemeral,
  StoredMessage,
  StoredView,
} from './slack-standin-state.js';
import { DEFAULT_SCOPES, scopeNeeded, SlackWorkspace } from './slack-web-methods.js';
import { DEFAULT_APP_TOKEN, SocketModeServer } from './socket-mode.js';
import type { SocketModeStandIn } from './socket-mode.js';

export type * from './slack-standin-state.js';
export { ACK_DEADLINE_MS, DEFAULT_APP_TOKEN } from './socket-mode.js';
export type { SocketAck, SocketModeStandIn } from './socket-mode.js';

export interface SlackStandInOptions {
  /** bot tokens that pass auth (default `xoxb-standin-token`) */
  readonly tokens?: readonly string[];
  /** app-level tokens `apps.connections.open` accepts (default `DEFAULT_APP_TOKEN`) */
  readonly appTokens?: readonly string[];
  /** how often Socket Mode connections are pinged (default 5 s) */
  readonly socketPingIntervalMs?: number;
  readonly users?: readonly StandInUser[];
  /** when given, the only channel ids that exist; otherwise every `C`/`G` id exists */
  readonly channels?: readonly string[];
  readonly notInChannel?: readonly string[];
  /** scopes of the bot token (sent in `x-oauth-scopes`; a method needing another answers `missing_scope`) */
  readonly scopes?: readonly string[];
  /** Slack-like `chat.postMessage` limit per channel; off unless given (or switched on with `setRateLimit`) */
  readonly rateLimit?: RateLimit | false;
  /** clock in ms (trigger expiry, rate limit, ts) */
  readonly now?: () => number;
  readonly port?: number;
}

export interface SlackStandIn {
  /** Web API base URL, ends with `/api/` (give it to WebClient as `slackApiUrl`) */
  readonly url: string;
  readonly token: string;
  /** the app-level token for Socket Mode */
  readonly appToken: string;
  /** Socket Mode: connections, envelopes and their acknowledgements */
  readonly socketMode: SocketModeStandIn;
  readonly messages: StoredMessage[];
  readonly ephemerals: StoredEphemeral[];
  readonly views: StoredView[];
  /** every call received, in order, with its parsed arguments */
  readonly requests: RecordedCall[];
  /** calls received per method (including refused ones) */
  readonly calls: Record<string, number>;
  /** 429s sent by the per-channel rate limiter, per method (injected faults are not counted here) */
  readonly throttled: Record<string, number>;
  message(channel: string, ts: string): StoredMessage | undefined;
  messagesIn(channel: string): StoredMessage[];
  /** the Home tab last published for a user */
  homeOf(userId: string): Record<string, unknown> | undefined;
  dmChannelOf(userId: string): string;
  /** a trigger id as Slack puts in an interaction payload; `views.open` accepts it once, for 3 s */
  issueTriggerId(): string;
  /** the next `times` calls of `method` fail with `fault` (or are served late, for `delayMs`) */
  inject(method: string, fault: Fault, times?: number): void;
  setRateLimit(limit: RateLimit | false): void;
  /** forgets messages, views, calls and faults (between tests sharing one stand-in) */
  reset(): void;
  close(): Promise<void>;
}

export const DEFAULT_STANDIN_TOKEN = 'xoxb-standin-token';

const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

const parseParams = (body: string, contentType: string | undefined): Record<string, unknown> | undefined => {
  if (body.length === 0) return {};
  if (contentType?.includes('application/json')) {
    try {
      const parsed = JSON.parse(body) as unknown;
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
        ? (parsed as Record<string, unknown>)
        : undefined;
    } catch {
      return undefined;
    }
  }
  return Object.fromEntries(new URLSearchParams(body));
};

const send = (
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
};

/** A token bucket per channel, as Slack limits `chat.postMessage` (about one a second, short bursts allowed). */
class ChannelRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    public limit: RateLimit | false,
    private readonly now: () => number,
  ) {}

  /** seconds to wait, or 0 when the call may go through */
  take(channel: string): number {
    if (!this.limit) return 0;
    const { perSecond, burst } = this.limit;
    const now = this.now();
    const bucket = this.buckets.get(channel) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    this.buckets.set(channel, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond));
  }
}

/** Starts a local Slack Web API (`POST /api/<method>`) speaking Slack's wire format. */
export const startSlackStandIn = async (options: SlackStandInOptions = {}): Promise<SlackStandIn> => {
  const now = options.now ?? Date.now;
  const tokens = options.tokens ?? [DEFAULT_STANDIN_TOKEN];
  const scopes = options.scopes ?? DEFAULT_SCOPES;
  const workspace = new SlackWorkspace({
    users: options.users ?? [],
    scopes,
    channels: options.channels,
    notInChannel: options.notInChannel ?? [],
    now,
  });
  const requests: RecordedCall[] = [];
  const calls: Record<string, number> = {};
  const throttled: Record<string, number> = {};
  const faults = new Map<string, Fault[]>();
  const limiter = new ChannelRateLimiter(options.rateLimit ?? false, now);
  const appTokens = options.appTokens ?? [DEFAULT_APP_TOKEN];
  const socketMode = new SocketModeServer(appTokens, options.socketPingIntervalMs);
  let baseUrl = '';

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://standin').pathname;
    const match = /^\/api\/([a-zA-Z.]+)$/.exec(path);
    if (req.method !== 'POST' || !match?.[1]) {
      send(res, 404, { ok: false, error: 'unknown_method' });
      return;
    }
    const method = match[1];
    calls[method] = (calls[method] ?? 0) + 1;
    const params = parseParams(await readBody(req), req.headers['content-type']);
    if (!params) {
      send(res, 200, { ok: false, error: 'invalid_json' });
      return;
    }
    requests.push({ method, params, at: now() });

    const fault = faults.get(method)?.shift();
    if (fault && 'delayMs' in fault) {
      await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    } else if (fault) {
      if ('error' in fault) send(res, 200, { ok: false, error: fault.error });
      else if (fault.status === 429) {
        send(
          res,
          429,
          { ok: false, error: 'ratelimited' },
          { 'retry-after': String(fault.retryAfterSeconds ?? 1) },
        );
      } else send(res, fault.status, { ok: false, error: 'internal_error' });
      return;
    }

    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (method === 'apps.connections.open') {
      send(res, 200, socketMode.open(bearer, baseUrl, tokens));
      return;
    }
    const token = bearer ?? (typeof params.token === 'string' ? params.token : undefined);
    if (token === undefined) {
      send(res, 200, { ok: false, error: 'not_authed' });
      return;
    }
    if (!tokens.includes(token)) {
      // an app-level token is for apps.connections.open only
      send(res, 200, {
        ok: false,
        error: appTokens.includes(token) ? 'not_allowed_token_type' : 'invalid_auth',
      });
      return;
    }

    // Slack reports the token's scopes on every answer to an authenticated call.
    const scopeHeaders = { 'x-oauth-scopes': scopes.join(','), 'x-accepted-oauth-scopes': '' };
    const needed = scopeNeeded(method, typeof params.channel === 'string' ? params.channel : undefined);
    if (needed !== undefined && !scopes.includes(needed)) {
      send(res, 200, { ok: false, error: 'missing_scope', needed, provided: scopes.join(',') }, scopeHeaders);
      return;
    }
    if (method === 'chat.postMessage' && typeof params.channel === 'string') {
      const wait = limiter.take(params.channel);
      if (wait > 0) {
        throttled[method] = (throttled[method] ?? 0) + 1;
        send(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(wait) });
        return;
      }
    }
    send(res, 200, workspace.call(method, params), scopeHeaders);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      send(res, 500, { ok: false, error: 'internal_error', detail: String(error) });
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => socketMode.upgrade(req, socket));
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;

  return {
    url: `http://127.0.0.1:${port}/api/`,
    token: tokens[0] ?? DEFAULT_STANDIN_TOKEN,
    appToken: appTokens[0] ?? DEFAULT_APP_TOKEN,
    socketMode,
    messages: workspace.messages,
    ephemerals: workspace.ephemerals,
    views: workspace.views,
    requests,
    calls,
    throttled,
    message: (channel, ts) => workspace.message(channel, ts),
    messagesIn: (channel) => workspace.messages.filter((message) => message.channel === channel),
    homeOf: (userId) =>
      workspace.views.findLast((view) => view.kind === 'home' && view.userId === userId)?.view,
    dmChannelOf: (userId) => workspace.dmChannelOf(userId),
    issueTriggerId: () => workspace.issueTriggerId(),
    inject: (method, fault, times = 1) => {
      const queue = faults.get(method) ?? [];
      for (let index = 0; index < times; index += 1) queue.push(fault);
      faults.set(method, queue);
    },
    setRateLimit: (limit) => {
      limiter.limit = limit;
    },
    reset: () => {
      workspace.reset();
      socketMode.reset();
      requests.length = 0;
      for (const method of Object.keys(calls)) delete calls[method];
      for (const method of Object.keys(throttled)) delete throttled[method];
      faults.clear();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        socketMode.close();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
};
