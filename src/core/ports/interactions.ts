import type { RepositoryRef } from '../model.js';
import type { Suppression } from '../suppression.js';

/**
 * What people can do from chat: the driving port the chat adapter calls. Implementations re-derive the
 * repository from the message (`channel`, `messageTs`) and never trust `claimedRepositoryKey` alone; they
 * re-check the person, and return quickly (slow work goes through the queue).
 */
export interface MessageContext {
  /** chat user id of the person who pressed */
  readonly actor: string;
  readonly channel: string;
  readonly messageTs: string;
  /** what the button's value said; a hint only */
  readonly claimedRepositoryKey: string;
}

export type Outcome =
  { readonly ok: true; readonly notice?: string } | { readonly ok: false; readonly reason: string };

export interface SuppressForm {
  readonly ok: true;
  readonly repository: RepositoryRef;
  readonly minJustificationLength: number;
  readonly maxJustificationLength: number;
  readonly maxDays: number;
  /** YYYY-MM-DD, the default end date */
  readonly defaultExpiry: string;
  /** YYYY-MM-DD, the latest end date allowed */
  readonly latestExpiry: string;
  /**
   * Names the failures the form was opened for; the submission hands it back, and a form whose
   * failures are no longer the repository's (it passed, or failed anew since) is refused.
   */
  readonly formToken: string;
}

export interface SuppressionSubmission extends MessageContext {
  readonly justification: string;
  /** YYYY-MM-DD, optional */
  readonly expires: string | undefined;
  /** what `SuppressForm.formToken` said when the form was opened; absent: an out-of-date form */
  readonly formToken: string | undefined;
  /** the chat's id of the submitted form: one form records at most one suppression */
  readonly viewId: string;
}

export type SubmissionOutcome =
  | { readonly ok: true; readonly notice: string }
  /** shown in the modal beside the fields (`response_action: errors`) */
  | {
      readonly ok: false;
      readonly fieldErrors: { readonly justification?: string; readonly expires?: string };
    }
  /** refused outright (not allowed, repository gone) */
  | { readonly ok: false; readonly reason: string };

export interface ReviewContext {
  readonly actor: string;
  readonly suppressionId: string;
  readonly channel: string;
  readonly messageTs: string;
}

export interface ReviewerHome {
  readonly reviewer: boolean;
  readonly pending: readonly Suppression[];
  readonly active: readonly Suppression[];
}

export interface Interactions {
  /** Fix pressed (after the confirmation dialog): authorise, then queue the remediation */
  fix(context: MessageContext): Promise<Outcome>;
  /** Suppress pressed: authorise and give what the modal needs */
  suppressForm(
    context: MessageContext,
  ): Promise<SuppressForm | { readonly ok: false; readonly reason: string }>;
  /** modal submitted: validate, authorise, record, queue the mirroring */
  submitSuppression(submission: SuppressionSubmission): Promise<SubmissionOutcome>;
  approve(context: ReviewContext): Promise<Outcome>;
  revoke(context: ReviewContext): Promise<Outcome>;
  /** what the app's Home tab shows this person */
  home(actor: string): Promise<ReviewerHome>;
}
