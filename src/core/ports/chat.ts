import type { MessageRef, OwnerResolution, RepositoryRef, Risk } from '../model.js';
import type { Suppression } from '../suppression.js';

export type { MessageRef } from '../model.js';

/** Where a repository stands, as people see it. */
export type RepositoryPhase =
  'failing' | 'fixing' | 'fixed' | 'fix-failed' | 'suppression-pending' | 'suppressed' | 'passed';

export type RepositoryAction = 'fix' | 'suppress';

/** Everything a chat message about one repository shows; the adapter decides the layout and escapes text. */
export interface RepositoryCard {
  readonly repository: RepositoryRef;
  readonly owner: OwnerResolution;
  readonly ticket: { readonly key: string; readonly url: string } | undefined;
  /** why the ticket could not be created or updated (one line, plain text), while that lasts */
  readonly ticketProblem?: string;
  readonly risks: readonly Risk[];
  readonly phase: RepositoryPhase;
  /** chat user id of who caused the latest change (fixer, suppressor, reviewer) */
  readonly actor: string | undefined;
  /** ISO time of the latest change */
  readonly at: string | undefined;
  /** failure reason, revocation reason, ... (plain text, untrusted) */
  readonly reason: string | undefined;
  readonly suppression: Suppression | undefined;
  /** buttons to show */
  readonly actions: readonly RepositoryAction[];
}

export type ReviewAction = 'approve' | 'revoke';

export interface SuppressionReviewCard {
  readonly suppression: Suppression;
  readonly ticket: { readonly key: string; readonly url: string } | undefined;
  readonly actions: readonly ReviewAction[];
}

/** What a repository card's message metadata names. */
export interface RepositoryCardSubject {
  readonly repositoryKey: string;
  /** the repository's ARN; `undefined` on cards posted before the metadata carried it */
  readonly repositoryArn: string | undefined;
}

/** What a review card's message metadata names. */
export interface ReviewCardSubject {
  readonly suppressionId: string;
  /** the suppressed repository's ARN; `undefined` on cards posted before the metadata carried it */
  readonly repositoryArn: string | undefined;
}

/** The chat workspace (Slack). Every method throws a classified `HubwardenError`. */
export interface Chat {
  /** posts the card, tagged with the repository key so it can be found again */
  postRepositoryCard(channel: string, card: RepositoryCard): Promise<MessageRef>;
  /** the card posted for this repository among the channel's recent messages, if any */
  findRepositoryCard(channel: string, repositoryKey: string): Promise<MessageRef | undefined>;
  /**
   * Is the message at `ref` hubwarden's card for this repository? Answers what its metadata names besides
   * (`repositoryArn` is absent on cards posted before it was added), or `undefined` as `isRepositoryCard`
   * answers false.
   */
  repositoryCardAt(ref: MessageRef, repositoryKey: string): Promise<RepositoryCardSubject | undefined>;
  updateRepositoryCard(ref: MessageRef, card: RepositoryCard): Promise<void>;
  /**
   * Is this message hubwarden's card for this repository (its metadata names the repository)? False for
   * a message that is missing, unreadable, or about anything else: a note naming it proves nothing.
   */
  isRepositoryCard(ref: MessageRef, repositoryKey: string): Promise<boolean>;
  /** posts the review card, tagged with the suppression id so it can be found again */
  postSuppressionReview(channel: string, review: SuppressionReviewCard): Promise<MessageRef>;
  /**
   * the review card posted for this suppression (tagged by `postSuppressionReview`): the message at `at`
   * when it is that card, else one among the channel's recent messages, if any
   */
  findSuppressionReview(channel: string, suppressionId: string, at?: string): Promise<MessageRef | undefined>;
  /**
   * Is the message at `ref` hubwarden's review card for this suppression (its metadata names it)? Answers
   * what the card names besides (`repositoryArn` is absent on cards posted before it was added), or
   * `undefined` for a message that is missing, unreadable, or about anything else.
   */
  reviewCardAt(ref: MessageRef, suppressionId: string): Promise<ReviewCardSubject | undefined>;
  updateSuppressionReview(ref: MessageRef, review: SuppressionReviewCard): Promise<void>;
  /** a message only `user` sees (refusals, confirmations) */
  notifyEphemeral(channel: string, user: string, text: string): Promise<void>;
  /** a direct or channel message with plain (escaped) text, e.g. "your suppression ended" */
  notify(channel: string, text: string): Promise<MessageRef>;
  userIdByEmail(email: string): Promise<string | undefined>;
}
