import type {
  Interactions,
  MessageContext,
  Outcome,
  ReviewContext,
  ReviewerHome,
  SubmissionOutcome,
  SuppressForm,
  SuppressionSubmission,
} from '../../../src/core/ports/interactions.js';
import { suppressForm } from './fixtures.js';

export type InteractionCall =
  | { readonly method: 'fix' | 'suppressForm'; readonly argument: MessageContext }
  | { readonly method: 'submitSuppression'; readonly argument: SuppressionSubmission }
  | { readonly method: 'approve' | 'revoke'; readonly argument: ReviewContext }
  | { readonly method: 'home'; readonly argument: string };

/** Records every call and answers what the test scripted; `gate` holds a use case until the test opens it. */
export class FakeInteractions implements Interactions {
  readonly calls: InteractionCall[] = [];
  fixOutcome: Outcome = { ok: true };
  formOutcome: SuppressForm | { readonly ok: false; readonly reason: string } = suppressForm;
  submissionOutcome: SubmissionOutcome = { ok: true, notice: 'Suppressed until 2025-03-31.' };
  reviewOutcome: Outcome = { ok: true };
  homeOutcome: ReviewerHome = { reviewer: false, pending: [], active: [] };
  gate: Promise<void> | undefined;

  /** back to a fresh fake (tests share one app) */
  reset(): void {
    this.calls.length = 0;
    this.fixOutcome = { ok: true };
    this.formOutcome = suppressForm;
    this.submissionOutcome = { ok: true, notice: 'Suppressed until 2025-03-31.' };
    this.reviewOutcome = { ok: true };
    this.homeOutcome = { reviewer: false, pending: [], active: [] };
    this.gate = undefined;
  }

  private async pass(): Promise<void> {
    if (this.gate) await this.gate;
  }

  async fix(context: MessageContext): Promise<Outcome> {
    this.calls.push({ method: 'fix', argument: context });
    await this.pass();
    return this.fixOutcome;
  }

  async suppressForm(
    context: MessageContext,
  ): Promise<SuppressForm | { readonly ok: false; readonly reason: string }> {
    this.calls.push({ method: 'suppressForm', argument: context });
    await this.pass();
    return this.formOutcome;
  }

  async submitSuppression(submission: SuppressionSubmission): Promise<SubmissionOutcome> {
    this.calls.push({ method: 'submitSuppression', argument: submission });
    await this.pass();
    return this.submissionOutcome;
  }

  async approve(context: ReviewContext): Promise<Outcome> {
    this.calls.push({ method: 'approve', argument: context });
    await this.pass();
    return this.reviewOutcome;
  }

  async revoke(context: ReviewContext): Promise<Outcome> {
    this.calls.push({ method: 'revoke', argument: context });
    await this.pass();
    return this.reviewOutcome;
  }

  async home(actor: string): Promise<ReviewerHome> {
    this.calls.push({ method: 'home', argument: actor });
    return this.homeOutcome;
  }
}
