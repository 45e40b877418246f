import { createHmac } from 'node:crypto';

export interface SlackSignatureHeaders {
  readonly 'x-slack-signature': string;
  readonly 'x-slack-request-timestamp': string;
}

/** Signs a request body as Slack does: `v0=` + HMAC-SHA256(signingSecret, `v0:{timestamp}:{body}`) in hex. */
export const signSlackRequest = (
  signingSecret: string,
  body: string,
  timestamp: number = Math.floor(Date.now() / 1000),
): SlackSignatureHeaders => {
  const signature = createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex');
  return { 'x-slack-signature': `v0=${signature}`, 'x-slack-request-timestamp': String(timestamp) };
};
