import { App, SocketModeReceiver } from '@slack/bolt';
import type { Receiver, webApi } from '@slack/bolt';
import type { Dispatcher } from 'undici';

import type { Interactions, MessageContext, SubmissionOutcome } from '../../core/ports/interactions.js';
import { LIMITS, plainSection } from './block-kit.js';
import { escapeMrkdwn, toPlainText } from './escape-mrkdwn.js';
import { renderHome, renderSuppressModal } from './render-views.js';
import { normaliseApiUrl, proxiedFetch, webClientOptions } from './slack-client-options.js';
import { classifySlackError } from './slack-errors.js';
import {
  ACTION_APPROVE,
  ACTION_FIX,
  ACTION_REVOKE,
  ACTION_SUPPRESS,
  EXPIRES_BLOCK_ID,
  JUSTIFICATION_BLOCK_ID,
  SUPPRESS_CALLBACK_ID,
} from './slack-ids.js';
import { silentLogger, toSdkLogger } from './slack-logger.js';
import type { SlackLogger } from './slack-logger.js';
import { parseButtonPress, parseHomeOpened, parseSuppressSubmission } from './slack-payloads.js';
import type { ButtonPress } from './slack-payloads.js';
import { SlackRequestReceiver } from './slack-request-receiver.js';
import type { SlackRequestListener } from './slack-request-receiver.js';

export interface SlackAppOptions {
  /** HTTP transport: every request to `POST /slack/events` is verified with it */
  readonly signingSecret?: string;
  /**
   * app-level token, `xapp-…`: Socket Mode. Slack delivers over a WebSocket hubwarden opens itself (no public
   * ingress, nothing to verify); `requestListener` is then absent.
   */
  readonly appToken?: string;
  /** bot token, `xoxb-…` */
  readonly token: string;
  /** Web API base URL (default `https://slack.com/api/`) */
  readonly apiUrl?: string;
  /** undici dispatcher (a proxy) for Web API calls and the Socket Mode WebSocket; default direct */
  readonly dispatcher?: Dispatcher;
  readonly interactions: Interactions;
  readonly logger?: SlackLogger;
  /** channel id where security reviews suppressions; approve/revoke are honoured only there */
  readonly reviewChannel: string;
  /** ms since the epoch (signature freshness) */
  readonly clock?: () => number;
  /** replay guard shared by every api process: true the first time a verified signature is seen */
  readonly firstDelivery?: (signature: string, ttlMs: number) => Promise<boolean>;
  /** how long a modal submission may wait for the core before the modal is closed anyway (Slack waits 3 s) */
  readonly submissionDeadlineMs?: number;
}

export interface SlackApp {
  readonly app: App;
  readonly transport: 'http' | 'socket';
  /**
   * HTTP transport only: mount on `POST /slack/events`; resolves when the request's listeners have finished
   * (the HTTP answer goes earlier)
   */
  readonly requestListener: SlackRequestListener | undefined;
  /** Socket Mode: opens the connection and resolves once Slack said hello; nothing to do over HTTP */
  start(): Promise<void>;
  /** Socket Mode: closes the connection (no reconnect); nothing to do over HTTP */
  stop(): Promise<void>;
}

const FALLBACK_FAILURE =
  'Something went wrong on hubwarden’s side; nothing changed. Please try again in a minute.';
const TIMED_OUT = Symbol('timed out');

const contextOf = (press: ButtonPress): MessageContext => ({
  actor: press.actor,
  channel: press.channel,
  messageTs: press.messageTs,
  claimedRepositoryKey: press.value,
});

/** Bolt app for hubwarden's buttons, modal and Home tab, served through the host's HTTP server. */
/**
 * Socket Mode through Bolt's own receiver: `apps.connections.open` with the app token (at the same API base
 * as every other call), then a WebSocket whose envelopes are acknowledged with their `envelope_id`.
 */
const socketModeReceiver = (options: SlackAppOptions, appToken: string, logger: SlackLogger) =>
  new SocketModeReceiver({
    appToken,
    logger: toSdkLogger(logger, 'slack-socket-mode'),
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    installerOptions: {
      clientOptions: {
        slackApiUrl: normaliseApiUrl(options.apiUrl),
        timeout: 10_000,
        ...(options.dispatcher ? { fetch: proxiedFetch(options.dispatcher) } : {}),
      },
    },
  });

/** Bolt app for hubwarden's buttons, modal and Home tab, over HTTP (the host's server) or Socket Mode. */
export const createSlackApp = (options: SlackAppOptions): SlackApp => {
  const { interactions, reviewChannel } = options;
  const logger = options.logger ?? silentLogger;
  let receiver: Receiver;
  let requestListener: SlackRequestListener | undefined;
  if (options.appToken !== undefined) {
    receiver = socketModeReceiver(options, options.appToken, logger);
  } else if (options.signingSecret !== undefined) {
    const http = new SlackRequestReceiver({
      signingSecret: options.signingSecret,
      logger,
      clock: options.clock ?? Date.now,
      ...(options.firstDelivery ? { firstDelivery: options.firstDelivery } : {}),
    });
    receiver = http;
    requestListener = http.requestListener;
  } else {
    throw new Error('createSlackApp needs a signing secret (HTTP) or an app-level token (Socket Mode)');
  }
  const app = new App({
    receiver,
    // a single workspace and a known token: no auth.test on every request or at construction
    authorize: async () => ({ botToken: options.token }),
    logger: toSdkLogger(logger, 'slack-bolt'),
    clientOptions: webClientOptions(options.apiUrl, logger, undefined, options.dispatcher),
    convoStore: false,
  });

  /** A message only the person sees; failures are logged, never thrown (the interaction is already acked). */
  const tell = async (
    client: webApi.WebClient,
    channel: string,
    user: string,
    text: string,
  ): Promise<void> => {
    try {
      await client.chat.postEphemeral({
        channel,
        user,
        text: escapeMrkdwn(text, LIMITS.fallbackText),
        blocks: [plainSection(text)],
      });
    } catch (error) {
      const classified = classifySlackError(error, 'chat.postEphemeral');
      logger.warn({ code: classified.code, channel, user }, 'could not post an ephemeral message');
    }
  };

  /** Runs a use case; a throw becomes a logged failure and an apology to the person. */
  const attempt = async <T>(
    name: string,
    press: { actor: string; channel: string },
    client: webApi.WebClient,
    call: () => Promise<T>,
  ): Promise<T | undefined> => {
    try {
      return await call();
    } catch (error) {
      logger.error({ err: error, interaction: name, actor: press.actor }, 'interaction failed');
      await tell(client, press.channel, press.actor, FALLBACK_FAILURE);
      return undefined;
    }
  };

  const pressOf = (body: unknown, actionId: string): ButtonPress | undefined => {
    const press = parseButtonPress(body);
    if (!press) logger.warn({ actionId }, 'malformed block_actions payload ignored');
    return press;
  };

  app.action(ACTION_FIX, async ({ ack, body, client }) => {
    await ack();
    const press = pressOf(body, ACTION_FIX);
    if (!press) return;
    const outcome = await attempt('fix', press, client, () => interactions.fix(contextOf(press)));
    if (!outcome) return;
    await tell(
      client,
      press.channel,
      press.actor,
      outcome.ok
        ? (outcome.notice ?? 'Fix queued: this message changes when the tags are immutable.')
        : outcome.reason,
    );
  });

  app.action(ACTION_SUPPRESS, async ({ ack, body, client }) => {
    await ack();
    const press = pressOf(body, ACTION_SUPPRESS);
    if (!press) return;
    const form = await attempt('suppressForm', press, client, () =>
      interactions.suppressForm(contextOf(press)),
    );
    if (!form) return;
    if (!form.ok) {
      await tell(client, press.channel, press.actor, form.reason);
      return;
    }
    // the trigger id lives 3 seconds: open the modal before anything else
    try {
      await client.views.open({
        trigger_id: press.triggerId,
        view: renderSuppressModal(form, {
          channel: press.channel,
          messageTs: press.messageTs,
          repositoryKey: press.value,
          formToken: form.formToken,
        }),
      });
    } catch (error) {
      const classified = classifySlackError(error, 'views.open');
      logger.warn({ code: classified.code, actor: press.actor }, 'could not open the Suppress modal');
      await tell(
        client,
        press.channel,
        press.actor,
        'The Suppress form could not be opened in time; press Suppress again.',
      );
    }
  });

  app.view(SUPPRESS_CALLBACK_ID, async ({ ack, body, client }) => {
    const submission = parseSuppressSubmission(body);
    if (!submission) {
      logger.warn({}, 'malformed view_submission payload');
      await ack({
        response_action: 'errors',
        errors: {
          [JUSTIFICATION_BLOCK_ID]: 'This form could not be read; close it and press Suppress again.',
        },
      });
      return;
    }
    const pending: Promise<SubmissionOutcome | Error> = interactions
      .submitSuppression({
        actor: submission.actor,
        channel: submission.channel,
        messageTs: submission.messageTs,
        claimedRepositoryKey: submission.repositoryKey,
        justification: submission.justification,
        expires: submission.expires,
        formToken: submission.formToken,
        viewId: submission.viewId,
      })
      .catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), options.submissionDeadlineMs ?? 2500);
    });
    const first = await Promise.race([pending, deadline]);
    clearTimeout(timer);

    if (first === TIMED_OUT) {
      // Slack would show an error and keep the modal: close it now and report the outcome when it comes
      await ack();
      const late = await pending;
      const text =
        late instanceof Error
          ? FALLBACK_FAILURE
          : late.ok
            ? late.notice
            : 'reason' in late
              ? late.reason
              : `Suppression refused: ${Object.values(late.fieldErrors).join(' ')}`;
      if (late instanceof Error) logger.error({ err: late }, 'suppression submission failed');
      await tell(client, submission.channel, submission.actor, text);
      return;
    }
    if (first instanceof Error) {
      logger.error({ err: first, actor: submission.actor }, 'suppression submission failed');
      await ack({ response_action: 'errors', errors: { [JUSTIFICATION_BLOCK_ID]: FALLBACK_FAILURE } });
      return;
    }
    if (first.ok) {
      await ack();
      await tell(client, submission.channel, submission.actor, first.notice);
      return;
    }
    const errors: Record<string, string> = {};
    if ('reason' in first) errors[JUSTIFICATION_BLOCK_ID] = toPlainText(first.reason, 300, true);
    else {
      if (first.fieldErrors.justification) {
        errors[JUSTIFICATION_BLOCK_ID] = toPlainText(first.fieldErrors.justification, 300, true);
      }
      if (first.fieldErrors.expires)
        errors[EXPIRES_BLOCK_ID] = toPlainText(first.fieldErrors.expires, 300, true);
    }
    await ack({ response_action: 'errors', errors });
  });

  const review = (actionId: string, decide: Interactions['approve']) =>
    app.action(actionId, async ({ ack, body, client }) => {
      await ack();
      const press = pressOf(body, actionId);
      if (!press) return;
      if (press.channel !== reviewChannel) {
        logger.warn({ actionId, channel: press.channel }, 'review button pressed outside the review channel');
        await tell(
          client,
          press.channel,
          press.actor,
          'Suppressions are reviewed in the review channel only.',
        );
        return;
      }
      const context = {
        actor: press.actor,
        suppressionId: press.value,
        channel: press.channel,
        messageTs: press.messageTs,
      };
      const outcome = await attempt(actionId, press, client, () => decide(context));
      if (!outcome) return;
      if (!outcome.ok) await tell(client, press.channel, press.actor, outcome.reason);
      else if (outcome.notice) await tell(client, press.channel, press.actor, outcome.notice);
    });
  review(ACTION_APPROVE, (context) => interactions.approve(context));
  review(ACTION_REVOKE, (context) => interactions.revoke(context));

  app.event('app_home_opened', async ({ event, client }) => {
    const user = parseHomeOpened(event);
    if (!user) return;
    try {
      const home = await interactions.home(user);
      await client.views.publish({ user_id: user, view: renderHome(home, reviewChannel) });
    } catch (error) {
      logger.error({ err: error, user }, 'could not publish the Home tab');
    }
  });

  app.error(async (error) => {
    logger.error({ err: error }, 'Slack listener error');
  });

  return {
    app,
    transport: requestListener ? 'http' : 'socket',
    requestListener,
    start: async () => {
      if (!requestListener) await app.start();
    },
    stop: async () => {
      if (!requestListener) await app.stop();
    },
  };
};
