import { BatchUpdateFindingsCommand, GetFindingsCommand } from '@aws-sdk/client-securityhub';
import type { AwsSecurityFindingFilters, SecurityHubClient } from '@aws-sdk/client-securityhub';

import { HubwardenError, isHubwardenError } from '../../core/errors.js';
import type {
  FindingsQuery,
  FindingsSource,
  FindingsUpdate,
  FindingsUpdateResult,
  RawFindingsPage,
  UnprocessedFinding,
} from '../../core/ports/findings-source.js';
import type { FindingIdentifier } from '../../core/model.js';
import { classifyAwsError, regionOf } from './classify-aws-error.js';
import { TokenBucket, systemClock } from '../../shared/token-bucket.js';
import type { Clock, RateBudget, RateLimit } from '../../shared/token-bucket.js';

/** Security Hub's quotas for these two operations (per account and region). */
// A little under AWS's quotas (GetFindings 3/s burst 6, BatchUpdateFindings 10/s burst 30): our clock
// and AWS's bucket never agree to the millisecond, and a request that lands a hair early costs a 429 and
// an SDK retry; 5% slower costs almost nothing.
export const GET_FINDINGS_RATE: RateLimit = { perSecond: 2.85, burst: 5 };
export const BATCH_UPDATE_FINDINGS_RATE: RateLimit = { perSecond: 9.5, burst: 28 };
export const MAX_FINDINGS_PER_UPDATE = 100;
export const MAX_NOTE_LENGTH = 512;
export const NOTE_AUTHOR = 'hubwarden';
/**
 * `UnprocessedFindings[].ErrorCode`s that a retry can never turn into success: the finding does not exist,
 * is over Security Hub's 240 KB limit, or the update does not fit the ASFF. The others
 * (`ConcurrentUpdateError`, `InternalFailure`, ...) are worth another try.
 */
export const PERMANENT_UNPROCESSED_CODES: ReadonlySet<string> = new Set([
  'FindingNotFound',
  'InvalidInput',
  'FindingSizeExceeded',
]);

/**
 * The `End` of an incremental poll's date filter. AWS refuses a `DateFilter` with `Start` alone, and a
 * `NextToken` is only valid for the very filter it came from: a fixed far-future bound (not "now") keeps the
 * filter the same on every page and every poll.
 */
export const OPEN_END = '2999-12-31T23:59:59.999Z';

export interface SecurityHubFindingsSourceOptions {
  readonly client: SecurityHubClient;
  /** client-side limit for GetFindings; default 3/s, burst 6 */
  readonly getFindingsRate?: RateLimit;
  /** client-side limit for BatchUpdateFindings; default 10/s, burst 30 */
  readonly batchUpdateRate?: RateLimit;
  /**
   * The budgets the two operations draw from (e.g. shared through Redis by every process of the
   * deployment); default an in-process bucket each, at the rates above
   */
  readonly budgets?: { readonly getFindings?: RateBudget; readonly batchUpdate?: RateBudget };
  /** clock and sleep of the limiters (tests pass a fake one) */
  readonly clock?: Clock;
  /** GetFindings MaxResults, 1 to 100; default 100 */
  readonly pageSize?: number;
  /**
   * Also select the per-standard findings that have no `Compliance.SecurityControlId` (partitions without
   * consolidated controls: aws-us-gov, aws-cn), by the standards' own `ProductFields.ControlId`.
   * Default false; `createAwsAdapters` turns it on outside the commercial `aws` partition (`partitionOfRegion`).
   */
  readonly perStandardFindings?: boolean;
}

/** The partition of a region, by AWS's region naming (`us-gov-west-1` → `aws-us-gov`, `cn-north-1` → `aws-cn`). */
export const partitionOfRegion = (region: string): string => {
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('eu-isoe-')) return 'aws-iso-e';
  if (region.startsWith('us-isof-')) return 'aws-iso-f';
  return 'aws';
};

/**
 * Security Hub's ways of naming one control. Consolidated control findings, and every finding in the commercial
 * partition (its consolidated controls view is always on), carry `Compliance.SecurityControlId`. Partitions
 * without consolidated controls (aws-us-gov, aws-cn) write one finding per standard with only that standard's
 * `ProductFields.ControlId`: `ECR.2` (FSBP, NIST 800-53, NIST 800-171, PCI DSS) or `CT.ECR.2` (Control Tower).
 */
const controlFilters = (controlId: string, perStandard: boolean): AwsSecurityFindingFilters[] => [
  { ComplianceSecurityControlId: [{ Value: controlId, Comparison: 'EQUALS' }] },
  ...(perStandard
    ? [
        {
          ProductFields: [
            { Key: 'ControlId', Value: controlId, Comparison: 'EQUALS' as const },
            { Key: 'ControlId', Value: `CT.${controlId}`, Comparison: 'EQUALS' as const },
          ],
        },
      ]
    : []),
];

const hasSecurityControlId = (finding: unknown): boolean =>
  typeof (finding as { Compliance?: { SecurityControlId?: unknown } } | null)?.Compliance
    ?.SecurityControlId === 'string';

/**
 * Cuts a note to at most `max` UTF-16 code units (Security Hub's measure) without splitting a surrogate pair,
 * and marks the cut with an ellipsis.
 */
export const truncateNote = (text: string, max: number = MAX_NOTE_LENGTH): string => {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
};

/** The FindingsSource port on AWS Security Hub (GetFindings / BatchUpdateFindings in the home region). */
export class SecurityHubFindingsSource implements FindingsSource {
  private readonly client: SecurityHubClient;
  private readonly getFindingsBucket: RateBudget;
  private readonly batchUpdateBucket: RateBudget;
  private readonly pageSize: number;
  private readonly perStandardFindings: boolean;

  constructor(options: SecurityHubFindingsSourceOptions) {
    const clock = options.clock ?? systemClock;
    this.client = options.client;
    this.getFindingsBucket =
      options.budgets?.getFindings ?? new TokenBucket(options.getFindingsRate ?? GET_FINDINGS_RATE, clock);
    this.batchUpdateBucket =
      options.budgets?.batchUpdate ??
      new TokenBucket(options.batchUpdateRate ?? BATCH_UPDATE_FINDINGS_RATE, clock);
    this.pageSize = Math.min(100, Math.max(1, options.pageSize ?? 100));
    this.perStandardFindings = options.perStandardFindings ?? false;
  }

  /**
   * Every finding of the control: the consolidated selection, then (where enabled) the per-standard one. A
   * finding both select (it has a `SecurityControlId`) is yielded only by the first, so none is seen twice;
   * one repository under several standards is still several findings, which the core folds into one repository.
   */
  async *pages(query: FindingsQuery): AsyncIterable<RawFindingsPage> {
    const [consolidated, ...perStandard] = controlFilters(query.controlId, this.perStandardFindings);
    const narrowed: AwsSecurityFindingFilters = {
      ...(query.updatedSince === undefined
        ? {}
        : { UpdatedAt: [{ Start: query.updatedSince.toISOString(), End: OPEN_END }] }),
      ...(query.resourceArn === undefined
        ? {}
        : { ResourceId: [{ Value: query.resourceArn, Comparison: 'EQUALS' as const }] }),
    };
    yield* this.walk({ ...consolidated, ...narrowed });
    for (const selection of perStandard) {
      for await (const page of this.walk({ ...selection, ...narrowed })) {
        yield { findings: page.findings.filter((finding) => !hasSecurityControlId(finding)) };
      }
    }
  }

  private async *walk(filters: AwsSecurityFindingFilters): AsyncIterable<RawFindingsPage> {
    let nextToken: string | undefined;
    do {
      await this.getFindingsBucket.take();
      const output = await this.call('GetFindings', this.getFindingsBucket, () =>
        this.client.send(
          new GetFindingsCommand({ Filters: filters, MaxResults: this.pageSize, NextToken: nextToken }),
        ),
      );
      nextToken = output.NextToken === '' ? undefined : output.NextToken;
      yield { findings: output.Findings ?? [] };
    } while (nextToken !== undefined);
  }

  async updateWorkflow(update: FindingsUpdate): Promise<FindingsUpdateResult> {
    if (update.findings.length === 0) return { processed: [], unprocessed: [] };
    if (update.findings.length > MAX_FINDINGS_PER_UPDATE) {
      throw new HubwardenError(
        `BatchUpdateFindings takes at most ${MAX_FINDINGS_PER_UPDATE} findings, got ${update.findings.length}`,
        { kind: 'permanent', code: 'securityhub.too_many_findings', service: 'securityhub' },
      );
    }
    await this.batchUpdateBucket.take();
    const output = await this.call('BatchUpdateFindings', this.batchUpdateBucket, () =>
      this.client.send(
        new BatchUpdateFindingsCommand({
          FindingIdentifiers: update.findings.map((f) => ({ Id: f.id, ProductArn: f.productArn })),
          Workflow: { Status: update.workflow },
          Note: { Text: truncateNote(update.note), UpdatedBy: NOTE_AUTHOR },
        }),
      ),
    );
    const processed: FindingIdentifier[] = (output.ProcessedFindings ?? []).map((f) => ({
      id: f.Id ?? '',
      productArn: f.ProductArn ?? '',
    }));
    const unprocessed: UnprocessedFinding[] = (output.UnprocessedFindings ?? []).map((f) => ({
      id: f.FindingIdentifier?.Id ?? '',
      productArn: f.FindingIdentifier?.ProductArn ?? '',
      errorCode: f.ErrorCode ?? 'Unknown',
      errorMessage: f.ErrorMessage ?? '',
      permanent: PERMANENT_UNPROCESSED_CODES.has(f.ErrorCode ?? ''),
    }));
    return { processed, unprocessed };
  }

  private async call<T>(action: string, bucket: RateBudget, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      const region = await regionOf(this.client);
      const classified = classifyAwsError(error, 'securityhub', action, region);
      // someone else shares the quota: hold every caller of the budget back as long as AWS asked
      if (classified.kind === 'rate-limited' && !isHubwardenError(error)) {
        await bucket.pauseFor(classified.retryAfterMs ?? 1_000);
      }
      throw classified;
    }
  }
}
