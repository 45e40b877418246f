import type { SuppressionReviewCard } from '../../core/ports/chat.js';
import type { Suppression, SuppressionStatus } from '../../core/suppression.js';
import {
  LIMITS,
  dayOf,
  mentionOf,
  mrkdwn,
  mrkdwnSection,
  plain,
  plainSection,
  slackTimeOf,
  ticketLinkOf,
} from './block-kit.js';
import type { KnownBlock } from './block-kit.js';
import { escapeMrkdwn } from './escape-mrkdwn.js';
import type { RenderedMessage } from './render-repository-card.js';
import { ACTION_APPROVE, ACTION_REVOKE } from './slack-ids.js';

const STATUS_LINES: Readonly<Record<SuppressionStatus, string>> = {
  pending: ':hourglass: *Pending*: waiting for a security reviewer',
  active: ':no_bell: *Active*',
  revoked: ':no_entry: *Revoked*',
  expired: ':calendar: *Expired*',
};

/** The status line of a suppression: trusted mrkdwn only (mentions, dates); reasons go in plain text. */
const suppressionStatusLine = (suppression: Suppression): string => {
  const reviewed = suppression.reviewedBy
    ? ` · ${suppression.status === 'revoked' ? 'revoked' : 'approved'} by ${mentionOf(suppression.reviewedBy)}${
        suppression.reviewedAt ? ` at ${slackTimeOf(suppression.reviewedAt)}` : ''
      }`
    : '';
  const ended =
    suppression.endedAt && !suppression.reviewedBy ? ` · ended ${slackTimeOf(suppression.endedAt)}` : '';
  return `${STATUS_LINES[suppression.status]}${reviewed}${ended}`;
};

const buttonsOf = (review: SuppressionReviewCard): KnownBlock[] => {
  if (review.actions.length === 0) return [];
  const value = review.suppression.id;
  const elements = review.actions.map((action) =>
    action === 'approve'
      ? {
          type: 'button' as const,
          action_id: ACTION_APPROVE,
          text: plain('Approve', LIMITS.buttonText),
          style: 'primary' as const,
          value,
        }
      : {
          type: 'button' as const,
          action_id: ACTION_REVOKE,
          text: plain('Revoke', LIMITS.buttonText),
          style: 'danger' as const,
          value,
          confirm: {
            title: plain('Revoke this suppression?', LIMITS.confirmTitle),
            text: plain(
              'The repository goes back to failing: its ticket reopens and its owner is asked to fix it.',
              LIMITS.confirmText,
            ),
            confirm: plain('Revoke', LIMITS.confirmButton),
            deny: plain('Cancel', LIMITS.confirmButton),
          },
        },
  );
  const approvable = review.actions.includes('approve');
  return [
    { type: 'actions', block_id: 'hubwarden.review', elements },
    ...(approvable
      ? [
          {
            type: 'context' as const,
            elements: [
              mrkdwn(
                `Approval must come from a security reviewer other than ${mentionOf(review.suppression.requestedBy)}.`,
              ),
            ],
          },
        ]
      : []),
  ];
};

/** The message security reviews for one suppression: who, what, why, until when, where it stands. */
export const renderSuppressionReview = (review: SuppressionReviewCard): RenderedMessage => {
  const { suppression } = review;
  const { repository } = suppression;
  const until = escapeMrkdwn(dayOf(suppression.expiresAt), 40, true);
  const blocks: KnownBlock[] = [
    { type: 'header', text: plain(`Suppression of ${repository.name}`, LIMITS.header, true) },
    mrkdwnSection(
      `${mentionOf(suppression.requestedBy)} asked at ${slackTimeOf(suppression.requestedAt)} to suppress ECR.2 until *${until}*.`,
    ),
    {
      type: 'section',
      fields: [
        mrkdwn(
          `*Repository*\n${escapeMrkdwn(`${repository.name} (${repository.accountId}, ${repository.region})`, LIMITS.field - 20, true)}`,
        ),
        mrkdwn(`*Owner*\n${escapeMrkdwn(suppression.ownerName, LIMITS.field - 20, true)}`),
        mrkdwn(`*Until*\n${until}`),
        mrkdwn(`*Ticket*\n${ticketLinkOf(review.ticket)}`),
      ],
    },
    mrkdwnSection('*Justification*'),
    plainSection(suppression.justification),
    mrkdwnSection(suppressionStatusLine(suppression)),
    ...(suppression.endReason === undefined ? [] : [plainSection(`Reason: ${suppression.endReason}`)]),
    ...buttonsOf(review),
    {
      type: 'context',
      elements: [plain(`suppression ${suppression.id} · ${repository.arn}`, LIMITS.sectionText, true)],
    },
  ];
  const text = escapeMrkdwn(
    `Suppression of ${repository.name} (${repository.accountId}, ${repository.region}) until ${dayOf(
      suppression.expiresAt,
    )}, ${suppression.status}: ${suppression.justification}`,
    LIMITS.fallbackText,
    true,
  );
  return { text, blocks };
};
