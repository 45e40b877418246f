import type { MessageRef, RepositoryRef } from './model.js';

/**
 * pending: asked for, waiting for a reviewer (requireApproval);
 * active: in effect until `expiresAt`; revoked: ended early by a reviewer (or rejected while pending);
 * expired: reached `expiresAt`.
 */
export type SuppressionStatus = 'pending' | 'active' | 'revoked' | 'expired';

/** A suppression and its audit trail: the record security reviews and exports. */
export interface Suppression {
  readonly id: string;
  readonly repository: RepositoryRef;
  readonly ownerName: string;
  readonly ticketKey: string | undefined;
  /** chat user id of the person who asked */
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly justification: string;
  readonly expiresAt: string;
  readonly status: SuppressionStatus;
  /** chat user id of the reviewer who approved or revoked */
  readonly reviewedBy: string | undefined;
  readonly reviewedAt: string | undefined;
  /** why it was revoked or how it ended */
  readonly endReason: string | undefined;
  readonly endedAt: string | undefined;
  /** the message in the review channel that carries this suppression's buttons */
  readonly reviewMessage: MessageRef | undefined;
  /** when it took effect; absent while pending, and for a request that was rejected or lapsed unanswered */
  readonly activatedAt?: string;
  /** digest of what the review message shows now, so it is only rewritten when that changes */
  readonly reviewCardHash?: string;
  /**
   * when hubwarden rebuilt this record from the audit record in a Security Hub note (Redis had lost it);
   * the justification is then the note's, which may be cut (it ends with `…`)
   */
  readonly restoredAt?: string;
}
