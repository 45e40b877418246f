import type { FindingIdentifier, WorkflowStatus } from '../model.js';

/** One page of raw ASFF findings, exactly as the provider returned them (parsed by the core). */
export interface RawFindingsPage {
  readonly findings: readonly unknown[];
}

export interface FindingsQuery {
  /** Security Hub control id, e.g. `ECR.2` (filter `ComplianceSecurityControlId`) */
  readonly controlId: string;
  /** only findings whose `UpdatedAt` is at or after this instant; omitted: every finding */
  readonly updatedSince?: Date;
  /** only the findings of this resource (filter `ResourceId`), e.g. one repository's ARN; omitted: every resource */
  readonly resourceArn?: string;
}

export interface FindingsUpdate {
  /** at most 100 per call; the adapter rejects more */
  readonly findings: readonly FindingIdentifier[];
  readonly workflow: WorkflowStatus;
  /** at most 512 characters; `UpdatedBy` is always `hubwarden` */
  readonly note: string;
}

export interface UnprocessedFinding extends FindingIdentifier {
  readonly errorCode: string;
  readonly errorMessage: string;
  /** the provider will refuse this update every time (the finding is gone, too large, the input invalid) */
  readonly permanent: boolean;
}

export interface FindingsUpdateResult {
  readonly processed: readonly FindingIdentifier[];
  readonly unprocessed: readonly UnprocessedFinding[];
}

/** Where findings come from and where workflow changes go back (Security Hub). */
export interface FindingsSource {
  /** Pages through every matching finding. Throws a classified `HubwardenError`. */
  pages(query: FindingsQuery): AsyncIterable<RawFindingsPage>;
  updateWorkflow(update: FindingsUpdate): Promise<FindingsUpdateResult>;
}
