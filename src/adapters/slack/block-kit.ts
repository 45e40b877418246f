import type { types } from '@slack/bolt';

import { escapeMrkdwn, toPlainText } from './escape-mrkdwn.js';

export type KnownBlock = types.KnownBlock;
export type PlainTextElement = types.PlainTextElement;
export type MrkdwnElement = types.MrkdwnElement;

/** Block Kit limits hubwarden's layouts touch. */
export const LIMITS = {
  sectionText: 3000,
  field: 2000,
  header: 150,
  buttonText: 75,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  modalTitle: 24,
  privateMetadata: 3000,
  /** a message's fallback `text`: Slack allows far more, notifications show a line */
  fallbackText: 3000,
  messageBlocks: 50,
  viewBlocks: 100,
} as const;

/** A `plain_text` object (never parsed by Slack): the safe home for untrusted text. */
export const plain = (
  value: string,
  maxLength: number = LIMITS.sectionText,
  singleLine = false,
): PlainTextElement => {
  const text = toPlainText(value, maxLength, singleLine);
  // Slack rejects empty text objects
  return { type: 'plain_text', text: text.trim().length > 0 ? text : '-', emoji: true };
};

/**
 * A `mrkdwn` object for text composed by hubwarden from trusted pieces and escaped untrusted ones;
 * `verbatim` stops Slack from auto-linking names and URLs inside it.
 */
export const mrkdwn = (text: string): MrkdwnElement => ({
  type: 'mrkdwn',
  text: text.length > 0 ? text : '-',
  verbatim: true,
});

export const plainSection = (value: string): KnownBlock => ({ type: 'section', text: plain(value) });

export const mrkdwnSection = (text: string): KnownBlock => ({ type: 'section', text: mrkdwn(text) });

const USER_ID = /^[UW][A-Z0-9]{2,20}$/;

/** `<@U…>` for a well-formed user id; anything else is shown as escaped text. */
export const mentionOf = (userId: string | undefined): string =>
  userId === undefined ? 'someone' : USER_ID.test(userId) ? `<@${userId}>` : escapeMrkdwn(userId, 100, true);

/** A date token Slack shows in the reader's time zone; the fallback is the plain ISO time. */
export const slackTimeOf = (iso: string | undefined): string => {
  if (iso === undefined) return 'an unknown time';
  const millis = Date.parse(iso);
  if (Number.isNaN(millis)) return escapeMrkdwn(iso, 100, true);
  const fallback = new Date(millis)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, ' UTC');
  return `<!date^${Math.floor(millis / 1000)}^{date_short_pretty} {time}|${fallback}>`;
};

/** YYYY-MM-DD of an ISO time (suppression end dates are whole days). */
export const dayOf = (iso: string): string => {
  const millis = Date.parse(iso);
  return Number.isNaN(millis) ? iso : new Date(millis).toISOString().slice(0, 10);
};

const SAFE_URL = /^https?:\/\/[^\s<>|]+$/;

/** `<url|KEY-1>` when the URL is a plain http(s) URL; otherwise just the escaped key. */
export const ticketLinkOf = (ticket: { readonly key: string; readonly url: string } | undefined): string => {
  if (!ticket) return 'no ticket yet';
  const key = escapeMrkdwn(ticket.key, 100, true);
  return SAFE_URL.test(ticket.url) ? `<${ticket.url.replace(/&/g, '&amp;')}|${key}>` : key;
};
