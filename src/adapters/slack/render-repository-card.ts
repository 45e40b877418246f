import type { RepositoryCard } from '../../core/ports/chat.js';
import type { Risk } from '../../core/model.js';
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
import { escapeMrkdwn, truncate } from './escape-mrkdwn.js';
import { ACTION_FIX, ACTION_SUPPRESS } from './slack-ids.js';

export interface RenderedMessage {
  /** fallback text: notifications, screen readers, clients without blocks */
  readonly text: string;
  readonly blocks: KnownBlock[];
}

const FIX_ADVICE =
  'Move pipelines to commit-SHA tags first: once tags are immutable, pushing an existing tag fails.';

const riskLine = (risk: Risk): string =>
  risk.examples.length > 0 ? `${risk.summary} (e.g. ${risk.examples.slice(0, 5).join(', ')})` : risk.summary;

/** What the Fix confirmation says: the risks, then the advice, within Slack's 300 characters. */
export const fixConfirmationText = (risks: readonly Risk[]): string => {
  const risksText =
    risks.length > 0
      ? `Risks: ${risks.map(riskLine).join('; ')}.`
      : 'No floating or signature tags were found.';
  return `${truncate(risksText, LIMITS.confirmText - FIX_ADVICE.length - 1)}\n${FIX_ADVICE}`;
};

/** The status line (trusted mrkdwn) and, apart from it, the untrusted detail it refers to (plain text). */
const statusOf = (card: RepositoryCard): { line: string; detail: string | undefined } => {
  const who = mentionOf(card.actor);
  const when = slackTimeOf(card.at);
  const suppression = card.suppression;
  switch (card.phase) {
    case 'failing':
      return { line: ':warning: Image tags are mutable: control ECR.2 fails.', detail: card.reason };
    case 'fixing':
      return {
        line: `:hourglass_flowing_sand: Fix requested by ${who} at ${when}; in progress.`,
        detail: undefined,
      };
    case 'fixed':
      return {
        line: `:white_check_mark: Fixed by ${who} at ${when}: tags are immutable.`,
        detail: undefined,
      };
    case 'fix-failed':
      return { line: `:x: Fix failed at ${when}:`, detail: card.reason ?? 'no reason given' };
    case 'suppression-pending':
      return {
        line: `:hourglass: Suppression requested by ${mentionOf(suppression?.requestedBy ?? card.actor)} until ${
          suppression ? escapeMrkdwn(dayOf(suppression.expiresAt), 40, true) : 'an unknown date'
        }, waiting for security review. Justification:`,
        detail: suppression?.justification ?? card.reason,
      };
    case 'suppressed': {
      const approved = suppression?.reviewedBy ? ` (approved by ${mentionOf(suppression.reviewedBy)})` : '';
      return {
        line: `:no_bell: Suppressed by ${mentionOf(suppression?.requestedBy ?? card.actor)} until ${
          suppression ? escapeMrkdwn(dayOf(suppression.expiresAt), 40, true) : 'an unknown date'
        }${approved}:`,
        detail: suppression?.justification ?? card.reason,
      };
    }
    case 'passed':
      return { line: ':white_check_mark: Passed: tags are immutable now.', detail: card.reason };
  }
};

const PHASE_WORDS: Readonly<Record<RepositoryCard['phase'], string>> = {
  failing: 'tags are mutable',
  fixing: 'fix in progress',
  fixed: 'fixed',
  'fix-failed': 'fix failed',
  'suppression-pending': 'suppression waiting for review',
  suppressed: 'suppressed',
  passed: 'passed',
};

const fallbackTextOf = (card: RepositoryCard): string => {
  const { repository, owner, ticket, risks } = card;
  const parts = [
    `ECR repository ${repository.name} (account ${repository.accountId}, ${repository.region})`,
    `owner ${owner.owner.name}`,
    `ticket ${ticket?.key ?? (card.ticketProblem ? 'failed' : 'none yet')}`,
    PHASE_WORDS[card.phase],
    risks.length > 0 ? `risks: ${risks.map((risk) => risk.summary).join('; ')}` : 'no pre-fix risks',
  ];
  return escapeMrkdwn(parts.join(' · '), LIMITS.fallbackText, true);
};

const field = (label: string, value: string): ReturnType<typeof mrkdwn> =>
  mrkdwn(`*${label}*\n${escapeMrkdwn(value, LIMITS.field - label.length - 3, true)}`);

const buttonsOf = (card: RepositoryCard): KnownBlock[] => {
  if (card.actions.length === 0) return [];
  const value = card.repository.key;
  const elements = card.actions.map((action) =>
    action === 'fix'
      ? {
          type: 'button' as const,
          action_id: ACTION_FIX,
          text: plain('Fix: make tags immutable', LIMITS.buttonText),
          style: 'primary' as const,
          value,
          confirm: {
            title: plain('Make tags immutable?', LIMITS.confirmTitle),
            text: plain(fixConfirmationText(card.risks), LIMITS.confirmText),
            confirm: plain('Fix', LIMITS.confirmButton),
            deny: plain('Cancel', LIMITS.confirmButton),
          },
        }
      : {
          type: 'button' as const,
          action_id: ACTION_SUPPRESS,
          text: plain('Suppress…', LIMITS.buttonText),
          value,
        },
  );
  return [{ type: 'actions', block_id: 'hubwarden.repository', elements }];
};

/** One repository's message: what it is, who owns it, its ticket, risks, where it stands, and its buttons. */
export const renderRepositoryCard = (card: RepositoryCard): RenderedMessage => {
  const { repository, owner } = card;
  const status = statusOf(card);
  const risks =
    card.risks.length > 0
      ? `Before making tags immutable:\n${card.risks.map((risk) => `• ${riskLine(risk)}`).join('\n')}`
      : 'No floating or signature tags found: making tags immutable should not break pipelines.';
  const blocks: KnownBlock[] = [
    { type: 'header', text: plain(`ECR repository ${repository.name}`, LIMITS.header, true) },
    {
      type: 'section',
      fields: [
        field('Account', repository.accountId),
        field('Region', repository.region),
        field('Owner', `${owner.owner.name} (${owner.detail})`),
        mrkdwn(`*Ticket*\n${ticketLinkOf(card.ticket)}`),
      ],
    },
    ...(card.ticketProblem ? [plainSection(card.ticketProblem)] : []),
    mrkdwnSection(status.line),
    ...(status.detail === undefined ? [] : [plainSection(status.detail)]),
    plainSection(risks),
    ...buttonsOf(card),
    { type: 'context', elements: [plain(repository.arn, LIMITS.sectionText, true)] },
  ];
  return { text: fallbackTextOf(card), blocks };
};
