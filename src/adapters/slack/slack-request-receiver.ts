import type { IncomingMessage, ServerResponse } from 'node:http';

import { HTTPModuleFunctions, ReceiverMultipleAckError, verifySlackRequest } from '@slack/bolt';
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';

import type { SlackLogger } from './slack-logger.js';

export type SlackRequestListener = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface SlackRequestReceiverOptions {
  readonly signingSecret: string;
  readonly logger: SlackLogger;
  /** ms since the epoch; the signature's freshness is judged by it */
  readonly clock: () => number;
  /** larger bodies get 413 unread (default 64 KiB: Slack's interaction payloads are far smaller) */
  readonly bodyLimitBytes?: number;
  /**
   * True the first time a verified signature is seen, false for a replay. Shared by every api process
   * (Redis) in the service; defaults to this process's memory.
   */
  readonly firstDelivery?: (signature: string, ttlMs: number) => Promise<boolean>;
  /** Slack gives up after 3 s; answer before it does when no listener acknowledged */
  readonly unacknowledgedTimeoutMs?: number;
}

/** Slack refuses to wait longer; a request signed earlier than this is a replay. */
const MAX_SIGNATURE_AGE_SECONDS = 5 * 60;
/** A signature is remembered for as long as its timestamp is accepted (both ways), plus a margin. */
const SIGNATURE_MEMORY_MS = (2 * MAX_SIGNATURE_AGE_SECONDS + 60) * 1000;
const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;

/** Signatures seen by this process, each forgotten after its time to live. */
const inMemoryFirstDelivery = (
  clock: () => number = Date.now,
): ((signature: string, ttlMs: number) => Promise<boolean>) => {
  const seen = new Map<string, number>();
  return async (signature, ttlMs) => {
    const now = clock();
    for (const [known, until] of seen) if (until <= now) seen.delete(known);
    if (seen.has(signature)) return false;
    seen.set(signature, now + ttlMs);
    return true;
  };
};

const headerOf = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
};

const answer = (res: ServerResponse, status: number): void => {
  if (res.headersSent) return;
  res.writeHead(status);
  res.end();
};

/** Refused before its body was read: close the connection rather than read what nobody wants. */
const refuseUnread = (res: ServerResponse, status: number): void => {
  if (res.headersSent) return;
  res.writeHead(status, { connection: 'close' });
  res.end();
};

/**
 * A Bolt receiver that does not own a server: its `requestListener` serves `POST /slack/events` on the
 * host's `http` server and resolves when every listener has finished. It follows Bolt's HTTPReceiver
 * (buffer, verify, parse, ack as the HTTP answer) with the clock injected and timestamps checked both ways.
 * Nothing reaches the app before the signature is verified.
 */
export class SlackRequestReceiver implements Receiver {
  private app: App | undefined;

  private readonly firstDelivery: (signature: string, ttlMs: number) => Promise<boolean>;

  constructor(private readonly options: SlackRequestReceiverOptions) {
    this.firstDelivery = options.firstDelivery ?? inMemoryFirstDelivery(options.clock);
  }

  init(app: App): void {
    this.app = app;
  }

  // the host server's lifecycle is the host's: nothing to start or stop here
  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  readonly requestListener: SlackRequestListener = async (req, res) => {
    if (req.method !== 'POST') {
      refuseUnread(res, 405);
      return;
    }
    const { logger } = this.options;
    // Everything that can be judged from the headers is judged before a byte of the body is read.
    const headers = this.headerProblem(req);
    if (headers) {
      logger.warn({ problem: headers }, 'Slack request refused: signature not verified');
      refuseUnread(res, 401);
      return;
    }
    const limit = this.options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
    const declared = Number(headerOf(req, 'content-length') ?? 0);
    if (declared > limit) {
      logger.warn({ tooLarge: true, declared }, 'Slack request refused: body too large');
      refuseUnread(res, 413);
      return;
    }
    let buffered: Awaited<ReturnType<typeof HTTPModuleFunctions.bufferIncomingMessage>>;
    try {
      buffered = await HTTPModuleFunctions.bufferIncomingMessage(req, limit);
    } catch (error) {
      const tooLarge = HTTPModuleFunctions.isRawBodyError(error) && error.statusCode === 413;
      logger.warn({ tooLarge }, 'Slack request body could not be read');
      refuseUnread(res, tooLarge ? 413 : 400);
      return;
    }
    const rawBody = buffered.rawBody.toString('utf8');
    const problem = this.signatureProblem(req, rawBody);
    if (problem) {
      logger.warn({ problem }, 'Slack request refused: signature not verified');
      answer(res, 401);
      return;
    }
    // A verified request seen before is a replay; Slack's own retries repeat work already acknowledged.
    const signature = headerOf(req, 'x-slack-signature') ?? '';
    if (!(await this.firstDelivery(signature, SIGNATURE_MEMORY_MS))) {
      logger.warn({}, 'Slack request ignored: the same signed request was seen before (replay)');
      answer(res, 200);
      return;
    }
    const retryNum = HTTPModuleFunctions.extractRetryNumFromHTTPRequest(req);
    if (retryNum !== undefined) {
      logger.info(
        { retryNum, retryReason: HTTPModuleFunctions.extractRetryReasonFromHTTPRequest(req) },
        'Slack retry ignored: the first delivery was already handled',
      );
      answer(res, 200);
      return;
    }

    let body: Record<string, unknown>;
    try {
      body = HTTPModuleFunctions.parseHTTPRequestBody(buffered) as Record<string, unknown>;
    } catch {
      logger.warn({}, 'Slack request refused: malformed body');
      answer(res, 400);
      return;
    }
    if (body.type === 'url_verification') {
      HTTPModuleFunctions.buildUrlVerificationResponse(res, body);
      return;
    }
    await this.dispatch(res, body);
  };

  /** Signature headers present and well formed, timestamp within 5 minutes either way. */
  private headerProblem(req: IncomingMessage): string | undefined {
    const signature = headerOf(req, 'x-slack-signature');
    const timestamp = Number(headerOf(req, 'x-slack-request-timestamp'));
    if (signature === undefined || !Number.isInteger(timestamp)) return 'missing signature headers';
    if (!/^v0=[0-9a-f]{64}$/.test(signature)) return 'malformed signature';
    // Bolt only refuses old timestamps; a far-future one is as suspect
    if (Math.abs(this.options.clock() / 1000 - timestamp) > MAX_SIGNATURE_AGE_SECONDS)
      return 'timestamp older than 5 minutes';
    return undefined;
  }

  private signatureProblem(req: IncomingMessage, rawBody: string): string | undefined {
    const signature = headerOf(req, 'x-slack-signature') ?? '';
    const timestamp = Number(headerOf(req, 'x-slack-request-timestamp'));
    const nowMs = this.options.clock();
    try {
      verifySlackRequest({
        signingSecret: this.options.signingSecret,
        body: rawBody,
        headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
        nowMilliseconds: nowMs,
      });
      return undefined;
    } catch {
      return 'signature mismatch';
    }
  }

  private async dispatch(res: ServerResponse, body: Record<string, unknown>): Promise<void> {
    const { logger } = this.options;
    let acknowledged = false;
    const timer = setTimeout(() => {
      if (acknowledged) return;
      logger.error({ type: body.type }, 'Slack request not acknowledged within 3 seconds');
      answer(res, 404);
    }, this.options.unacknowledgedTimeoutMs ?? 3001);
    timer.unref();
    const event: ReceiverEvent = {
      body,
      retryNum: undefined,
      retryReason: undefined,
      customProperties: {},
      ack: async (response?: unknown) => {
        if (acknowledged) throw new ReceiverMultipleAckError();
        acknowledged = true;
        clearTimeout(timer);
        if (!res.headersSent) HTTPModuleFunctions.buildContentResponse(res, response);
      },
    };
    try {
      if (!this.app) throw new Error('receiver used before App was constructed');
      await this.app.processEvent(event);
    } catch (error) {
      logger.error({ err: error, type: body.type }, 'Slack request failed in a listener');
      if (!acknowledged) answer(res, 500);
    } finally {
      clearTimeout(timer);
      // nobody listens for this interaction: say so now rather than after 3 s
      if (!acknowledged) answer(res, 200);
    }
  }
}
