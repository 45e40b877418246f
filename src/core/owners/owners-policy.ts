import type { Owner } from '../model.js';

export interface SuppressionPolicy {
  readonly minJustificationLength: number;
  readonly maxJustificationLength: number;
  readonly maxDays: number;
  readonly defaultDays: number;
  readonly requireApproval: boolean;
}

/** The owners file (`hubwarden.yml`), validated. Owner names and tag keys are kept lower-cased for lookup. */
export interface OwnersPolicy {
  readonly ownerTags: readonly string[];
  /** keyed by lower-cased tag value */
  readonly owners: ReadonlyMap<string, Owner>;
  /** account id → lower-cased owner name */
  readonly accounts: ReadonlyMap<string, string>;
  readonly defaultOwner: Owner;
  readonly securityReviewers: readonly string[];
  /** lower-cased domains (`example.com`) and single addresses whose e-mail owner tags are believed */
  readonly allowedEmailDomains: readonly string[];
  readonly suppression: SuppressionPolicy;
}
