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
  readonly bodyLimitBytes?: number;
  /** Slack gives up after 3 s; answer before it does when no listener acknowledged */
  readonly unacknowledgedTimeoutMs?: number;
}

/** Slack refuses to wait longer; a request signed earlier than this is a replay. */
const MAX_SIGNATURE_AGE_SECONDS = 5 * 60;

const headerOf = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
};

const answer = (res: ServerResponse, status: number): void => {
  if (res.headersSent) return;
  res.writeHead(status);
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

  constructor(private readonly options: SlackRequestReceiverOptions) {}

  init(app: App): void {
    this.app = app;
  }

  // the host server's lifecycle is the host's: nothing to start or stop here
  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  readonly requestListener: SlackRequestListener = async (req, res) => {
    if (req.method !== 'POST') {
      answer(res, 405);
      return;
    }
    const { logger } = this.options;
    let buffered: Awaited<ReturnType<typeof HTTPModuleFunctions.bufferIncomingMessage>>;
    try {
      buffered = await HTTPModuleFunctions.bufferIncomingMessage(
        req,
        this.options.bodyLimitBytes ?? 1024 * 1024,
      );
    } catch (error) {
      const tooLarge = HTTPModuleFunctions.isRawBodyError(error) && error.statusCode === 413;
      logger.warn({ tooLarge }, 'Slack request body could not be read');
      answer(res, tooLarge ? 413 : 400);
      return;
    }
    const rawBody = buffered.rawBody.toString('utf8');
    const problem = this.signatureProblem(req, rawBody);
    if (problem) {
      logger.warn({ problem }, 'Slack request refused: signature not verified');
      answer(res, 401);
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
    await this.dispatch(req, res, body);
  };

  private signatureProblem(req: IncomingMessage, rawBody: string): string | undefined {
    const signature = headerOf(req, 'x-slack-signature');
    const timestamp = Number(headerOf(req, 'x-slack-request-timestamp'));
    if (signature === undefined || !Number.isInteger(timestamp)) return 'missing signature headers';
    const nowMs = this.options.clock();
    // Bolt only refuses old timestamps; a far-future one is as suspect
    if (Math.abs(nowMs / 1000 - timestamp) > MAX_SIGNATURE_AGE_SECONDS)
      return 'timestamp older than 5 minutes';
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

  private async dispatch(
    req: IncomingMessage,
    res: ServerResponse,
    body: Record<string, unknown>,
  ): Promise<void> {
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
      retryNum: HTTPModuleFunctions.extractRetryNumFromHTTPRequest(req),
      retryReason: HTTPModuleFunctions.extractRetryReasonFromHTTPRequest(req),
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
