/**
 * Slack's Socket Mode, as the stand-in serves it: `apps.connections.open` (app-level token in the
 * Authorization header only) hands out a single-use `ws://…/link/?ticket=…` URL; on connect Slack sends
 * `hello`, then envelopes `{ envelope_id, type, payload, accepts_response_payload }` that the app must
 * acknowledge within 3 seconds with `{ envelope_id, payload? }`. Slack also pings, and can ask the app
 * to reconnect with `{ type: 'disconnect', reason }`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

import { handshakeProblem, ServerWebSocket } from './websocket-frames.js';

/** Slack waits 3 seconds for an acknowledgement, then shows the person an error (or retries an event). */
export const ACK_DEADLINE_MS = 3000;
export const DEFAULT_APP_TOKEN = 'xapp-1-A0HUBWARDEN-standin-app-token';
const APP_ID = 'A0HUBWARDEN';

export type EnvelopeType = 'interactive' | 'events_api' | 'slash_commands';
export type DisconnectReason = 'warning' | 'refresh_requested' | 'link_disabled';

export interface SocketAck {
  readonly envelopeId: string;
  /** what the app answered with (`{}` or absent for a plain acknowledgement) */
  readonly payload: Record<string, unknown> | undefined;
  readonly afterMs: number;
}

export interface SocketModeStandIn {
  /** `apps.connections.open` calls that handed out a URL */
  readonly opened: number;
  /** open connections that received `hello` */
  readonly connections: number;
  /** every acknowledgement received, in order */
  readonly acks: SocketAck[];
  /** messages that were not an acknowledgement of an outstanding envelope */
  readonly strays: string[];
  /** upgrade requests refused (bad, unknown or reused ticket, not a WebSocket handshake) */
  readonly refusedUpgrades: number;
  /** resolves once at least `count` connections are open (after hello) */
  connected(count?: number, timeoutMs?: number): Promise<void>;
  /** sends an envelope on an open connection and resolves with the app's acknowledgement */
  deliver(type: EnvelopeType, payload: unknown, options?: { retryAttempt?: number }): Promise<SocketAck>;
  /** Slack asks every connection to reconnect */
  disconnect(reason: DisconnectReason): void;
  /** every connection drops without a close frame */
  drop(): void;
  /** forgets acknowledgements and strays (connections stay) */
  reset(): void;
}

interface Pending {
  readonly sentAt: number;
  resolve(ack: SocketAck): void;
}

export class SocketModeServer implements SocketModeStandIn {
  opened = 0;
  refusedUpgrades = 0;
  readonly acks: SocketAck[] = [];
  readonly strays: string[] = [];
  private readonly tickets = new Set<string>();
  private readonly sockets = new Set<ServerWebSocket>();
  private readonly pending = new Map<string, Pending>();
  private readonly pinger: NodeJS.Timeout;

  constructor(
    readonly appTokens: readonly string[],
    private readonly pingIntervalMs = 5_000,
  ) {
    // Slack pings every connection; a client that hears nothing for a while reconnects
    this.pinger = setInterval(() => {
      for (const socket of this.sockets) socket.ping();
    }, this.pingIntervalMs);
    this.pinger.unref();
  }

  get connections(): number {
    return this.sockets.size;
  }

  /** `apps.connections.open`: the answer, by the token in the Authorization header. */
  open(bearer: string | undefined, baseUrl: string, botTokens: readonly string[]): Record<string, unknown> {
    // the app-level token must travel in the header; as a POST parameter Slack refuses it
    if (bearer === undefined) return { ok: false, error: 'not_authed' };
    if (botTokens.includes(bearer) || !bearer.startsWith('xapp-')) {
      return { ok: false, error: 'not_allowed_token_type' };
    }
    if (!this.appTokens.includes(bearer)) return { ok: false, error: 'invalid_auth' };
    const ticket = randomUUID();
    this.tickets.add(ticket);
    this.opened += 1;
    const ws = baseUrl.replace(/^http/, 'ws');
    return { ok: true, url: `${ws}/link/?ticket=${ticket}&app_id=${APP_ID}` };
  }

  /** The HTTP server's `upgrade` event: a valid, unused ticket becomes a connection that is greeted. */
  upgrade(req: IncomingMessage, socket: Duplex): void {
    const url = new URL(req.url ?? '/', 'http://standin');
    const ticket = url.searchParams.get('ticket') ?? '';
    if (url.pathname !== '/link/' || !this.tickets.delete(ticket) || handshakeProblem(req)) {
      this.refusedUpgrades += 1;
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const connection: ServerWebSocket = ServerWebSocket.accept(req, socket, {
      onText: (text) => this.receive(text),
      onClose: () => this.sockets.delete(connection),
    });
    this.sockets.add(connection);
    connection.sendText(
      JSON.stringify({
        type: 'hello',
        num_connections: this.sockets.size,
        debug_info: {
          host: 'applink-standin',
          build_number: 1,
          approximate_connection_time: 18060,
        },
        connection_info: { app_id: APP_ID },
      }),
    );
  }

  async connected(count = 1, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.sockets.size < count) {
      if (Date.now() > deadline) throw new Error(`no Socket Mode connection within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  deliver(type: EnvelopeType, payload: unknown, options: { retryAttempt?: number } = {}): Promise<SocketAck> {
    const socket = [...this.sockets].at(-1);
    if (!socket) return Promise.reject(new Error('no Socket Mode connection to deliver to'));
    const envelopeId = randomUUID();
    return new Promise<SocketAck>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelopeId);
        reject(new Error(`envelope ${envelopeId} (${type}) not acknowledged within ${ACK_DEADLINE_MS} ms`));
      }, ACK_DEADLINE_MS);
      this.pending.set(envelopeId, {
        sentAt: Date.now(),
        resolve: (ack) => {
          clearTimeout(timer);
          resolve(ack);
        },
      });
      socket.sendText(
        JSON.stringify({
          envelope_id: envelopeId,
          payload,
          type,
          // Slack takes a response payload (modal errors, slash command replies) for interactions only
          accepts_response_payload: type !== 'events_api',
          ...(type === 'events_api'
            ? {
                retry_attempt: options.retryAttempt ?? 0,
                retry_reason: options.retryAttempt ? 'timeout' : '',
              }
            : {}),
        }),
      );
    });
  }

  disconnect(reason: DisconnectReason): void {
    const message = JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-standin' } });
    for (const socket of this.sockets) socket.sendText(message);
  }

  drop(): void {
    for (const socket of [...this.sockets]) socket.terminate();
  }

  reset(): void {
    this.acks.length = 0;
    this.strays.length = 0;
  }

  close(): void {
    clearInterval(this.pinger);
    for (const socket of [...this.sockets]) socket.close(1001);
  }

  private receive(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text) as unknown;
    } catch {
      this.strays.push(text);
      return;
    }
    const { envelope_id: envelopeId, payload } = (message ?? {}) as {
      envelope_id?: unknown;
      payload?: unknown;
    };
    const pending = typeof envelopeId === 'string' ? this.pending.get(envelopeId) : undefined;
    if (!pending || typeof envelopeId !== 'string') {
      this.strays.push(text);
      return;
    }
    this.pending.delete(envelopeId);
    const ack: SocketAck = {
      envelopeId,
      payload:
        typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : undefined,
      afterMs: Date.now() - pending.sentAt,
    };
    this.acks.push(ack);
    pending.resolve(ack);
  }
}
