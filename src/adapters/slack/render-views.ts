import type { types } from '@slack/bolt';

import type { ReviewerHome, SuppressForm } from '../../core/ports/interactions.js';
import type { Suppression } from '../../core/suppression.js';
import { LIMITS, dayOf, mentionOf, mrkdwnSection, plain, plainSection } from './block-kit.js';
import type { KnownBlock } from './block-kit.js';
import { escapeMrkdwn } from './escape-mrkdwn.js';
import {
  EXPIRES_BLOCK_ID,
  INPUT_ACTION_ID,
  JUSTIFICATION_BLOCK_ID,
  SUPPRESS_CALLBACK_ID,
} from './slack-ids.js';
import type { SuppressModalMetadata } from './slack-payloads.js';

/** The Suppress modal; `private_metadata` carries where it was opened from (re-derived by the core, never trusted). */
export const renderSuppressModal = (form: SuppressForm, metadata: SuppressModalMetadata): types.ModalView => {
  const { repository } = form;
  return {
    type: 'modal',
    callback_id: SUPPRESS_CALLBACK_ID,
    private_metadata: JSON.stringify(metadata),
    title: plain('Suppress ECR.2', LIMITS.modalTitle),
    submit: plain('Suppress', LIMITS.modalTitle),
    close: plain('Cancel', LIMITS.modalTitle),
    blocks: [
      plainSection(
        `Repository ${repository.name} (account ${repository.accountId}, ${repository.region}). ` +
          `A suppression always ends: at the latest on ${form.latestExpiry} (${form.maxDays} days). ` +
          'Security reviews every justification.',
      ),
      {
        type: 'input',
        block_id: JUSTIFICATION_BLOCK_ID,
        label: plain('Justification', 2000),
        hint: plain(
          `Why may this repository keep mutable tags? At least ${form.minJustificationLength} characters.`,
          2000,
        ),
        element: {
          type: 'plain_text_input',
          action_id: INPUT_ACTION_ID,
          multiline: true,
          min_length: Math.min(form.minJustificationLength, 3000),
          max_length: Math.min(form.maxJustificationLength, 3000),
        },
      },
      {
        type: 'input',
        block_id: EXPIRES_BLOCK_ID,
        optional: true,
        label: plain('Suppressed until', 2000),
        hint: plain(`Default ${form.defaultExpiry}; latest ${form.latestExpiry}.`, 2000),
        element: { type: 'datepicker', action_id: INPUT_ACTION_ID, initial_date: form.defaultExpiry },
      },
    ],
  };
};

/** Room for the header and explanations within a Home tab's 100 blocks. */
const MAX_LISTED = 40;

const suppressionBlocks = (suppression: Suppression): KnownBlock[] => [
  mrkdwnSection(
    `*${escapeMrkdwn(suppression.repository.name, 200, true)}* (${escapeMrkdwn(
      `${suppression.repository.accountId}, ${suppression.repository.region}`,
      100,
      true,
    )}) · requested by ${mentionOf(suppression.requestedBy)} · until ${escapeMrkdwn(dayOf(suppression.expiresAt), 40, true)}`,
  ),
  plainSection(suppression.justification),
];

const listBlocks = (title: string, suppressions: readonly Suppression[]): KnownBlock[] => {
  const shown = suppressions.slice(0, MAX_LISTED / 2);
  const rest = suppressions.length - shown.length;
  return [
    { type: 'header', text: plain(`${title} (${suppressions.length})`, LIMITS.header, true) },
    ...(suppressions.length === 0 ? [plainSection('None.')] : shown.flatMap(suppressionBlocks)),
    ...(rest > 0
      ? [plainSection(`…and ${rest} more: run \`hubwarden suppressions\` for the full list.`)]
      : []),
    { type: 'divider' },
  ];
};

/** The app's Home tab: the review queue for security reviewers, a short explanation for everyone else. */
export const renderHome = (home: ReviewerHome, reviewChannel?: string): types.HomeView => ({
  type: 'home',
  blocks: home.reviewer
    ? [
        mrkdwnSection(
          '*hubwarden*: suppressions of control ECR.2 (mutable ECR image tags) you review' +
            (reviewChannel && /^[CG][A-Z0-9]+$/.test(reviewChannel) ? ` in <#${reviewChannel}>.` : '.'),
        ),
        ...listBlocks('Waiting for review', home.pending),
        ...listBlocks('Active', home.active),
      ]
    : [
        mrkdwnSection(
          '*hubwarden* keeps ECR repositories\u2019 image tags immutable (Security Hub control ECR.2). ' +
            'It posts one message per repository in its owner\u2019s channel, where owners can *Fix* it or ' +
            '*Suppress* it with a justification. Security reviewers see the suppressions they review here.',
        ),
      ],
});
