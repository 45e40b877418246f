import { createHash } from 'node:crypto';

import { invalidInput } from './aws-error.js';
import { compileFilters } from './securityhub-filters.js';
import type { Asff } from './securityhub-filters.js';

export type { Asff } from './securityhub-filters.js';

interface Stored {
  readonly seq: number;
  finding: Asff;
}

const WORKFLOW_STATUSES = new Set(['NEW', 'NOTIFIED', 'RESOLVED', 'SUPPRESSED']);
const MAX_RESULTS = 100;
const MAX_IDENTIFIERS = 100;
const MAX_NOTE = 512;
/** Security Hub's limit on one finding's size; an update that would pass it is refused per finding. */
const MAX_FINDING_BYTES = 240 * 1024;

const keyOf = (id: string, productArn: string): string => `${productArn}\u0000${id}`;

const asRecord = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};

const resourceIds = (finding: Asff): string[] =>
  (Array.isArray(finding['Resources']) ? (finding['Resources'] as unknown[]) : []).flatMap((resource) => {
    const id = asRecord(resource)['Id'];
    return typeof id === 'string' ? [id] : [];
  });

/**
 * Security Hub as an aggregator sees it: findings of every account and region, one endpoint.
 * Tokens are opaque: they name the last finding returned and the query they belong to.
 */
export class SecurityHubStandIn {
  private list: Stored[] = [];
  private readonly byKey = new Map<string, Stored>();
  private nextSeq = 1;

  constructor(private readonly now: () => number) {}

  /**
   * Adds findings, or replaces the stored copy of one with the same Id + ProductArn (keeping its place).
   * `copy: false` stores the given objects themselves (bulk seeding of fresh objects).
   */
  addFindings(findings: readonly Asff[], options: { copy?: boolean } = {}): void {
    const copy = options.copy ?? true;
    for (const given of findings) {
      const finding = copy ? structuredClone(given) : given;
      const key = keyOf(String(finding['Id']), String(finding['ProductArn']));
      const existing = this.byKey.get(key);
      if (existing !== undefined) {
        existing.finding = finding;
        continue;
      }
      const stored = { seq: this.nextSeq++, finding };
      this.list.push(stored);
      this.byKey.set(key, stored);
    }
  }

  /** A copy of every stored finding, in storage order. */
  findings(): Asff[] {
    return this.list.map((stored) => structuredClone(stored.finding));
  }

  /** A copy of one finding (by Id; ProductArn narrows when several products share an Id). */
  finding(id: string, productArn?: string): Asff | undefined {
    const stored =
      productArn === undefined
        ? this.list.find((s) => s.finding['Id'] === id)
        : this.byKey.get(keyOf(id, productArn));
    return stored === undefined ? undefined : structuredClone(stored.finding);
  }

  findingsForResource(resourceArn: string): Asff[] {
    return this.list
      .filter((s) => resourceIds(s.finding).includes(resourceArn))
      .map((s) => structuredClone(s.finding));
  }

  clear(): void {
    this.list = [];
    this.byKey.clear();
  }

  /**
   * What a new evaluation of the control does to every finding of a resource: the compliance status changes,
   * `UpdatedAt` moves, and Security Hub's automatic workflow rules apply (PASSED resolves NEW/NOTIFIED
   * findings; failing again after PASSED reopens a RESOLVED one as NEW).
   */
  setCompliance(resourceArn: string, status: 'PASSED' | 'FAILED' | 'WARNING' | 'NOT_AVAILABLE'): number {
    let changed = 0;
    const at = new Date(this.now()).toISOString();
    for (const stored of this.list) {
      if (!resourceIds(stored.finding).includes(resourceArn)) continue;
      const compliance = asRecord(stored.finding['Compliance']);
      const workflow = asRecord(stored.finding['Workflow']);
      const previous = compliance['Status'];
      const workflowStatus = workflow['Status'];
      if (status === 'PASSED' && (workflowStatus === 'NEW' || workflowStatus === 'NOTIFIED')) {
        stored.finding['Workflow'] = { ...workflow, Status: 'RESOLVED' };
      }
      if (status !== 'PASSED' && previous === 'PASSED' && workflowStatus === 'RESOLVED') {
        stored.finding['Workflow'] = { ...workflow, Status: 'NEW' };
      }
      stored.finding['Compliance'] = { ...compliance, Status: status };
      stored.finding['UpdatedAt'] = at;
      stored.finding['LastObservedAt'] = at;
      changed += 1;
    }
    return changed;
  }

  markRepositoryPassed(repositoryArn: string): number {
    return this.setCompliance(repositoryArn, 'PASSED');
  }

  /** Archives (e.g. the repository was deleted): RecordState ARCHIVED, UpdatedAt moves. */
  archiveResource(resourceArn: string): number {
    let changed = 0;
    const at = new Date(this.now()).toISOString();
    for (const stored of this.list) {
      if (!resourceIds(stored.finding).includes(resourceArn)) continue;
      stored.finding['RecordState'] = 'ARCHIVED';
      stored.finding['UpdatedAt'] = at;
      changed += 1;
    }
    return changed;
  }

  /** Applies any change to one stored finding; `touch` (default true) moves `UpdatedAt` as a provider update does. */
  updateFinding(id: string, change: (finding: Asff) => void, options: { touch?: boolean } = {}): boolean {
    const stored = this.list.find((s) => s.finding['Id'] === id);
    if (stored === undefined) return false;
    change(stored.finding);
    if (options.touch ?? true) stored.finding['UpdatedAt'] = new Date(this.now()).toISOString();
    return true;
  }

  getFindings(body: Record<string, unknown>): Record<string, unknown> {
    const maxResults = body['MaxResults'] ?? MAX_RESULTS;
    if (
      typeof maxResults !== 'number' ||
      !Number.isInteger(maxResults) ||
      maxResults < 1 ||
      maxResults > 100
    ) {
      throw invalidInput('MaxResults must be between 1 and 100');
    }
    const queryHash = createHash('sha256')
      .update(JSON.stringify(body['Filters'] ?? {}))
      .digest('hex')
      .slice(0, 16);
    const after = body['NextToken'] === undefined ? 0 : this.decodeToken(body['NextToken'], queryHash);
    const matches = compileFilters(body['Filters'], this.now());
    const page: Asff[] = [];
    let lastSeq = after;
    let more = false;
    for (let index = this.firstIndexAfter(after); index < this.list.length; index += 1) {
      const stored = this.list[index];
      if (stored === undefined || !matches(stored.finding)) continue;
      if (page.length === maxResults) {
        more = true;
        break;
      }
      page.push(stored.finding);
      lastSeq = stored.seq;
    }
    const nextToken = more
      ? Buffer.from(JSON.stringify({ a: lastSeq, q: queryHash })).toString('base64url')
      : undefined;
    return nextToken === undefined ? { Findings: page } : { Findings: page, NextToken: nextToken };
  }

  batchUpdateFindings(body: Record<string, unknown>): Record<string, unknown> {
    const identifiers = body['FindingIdentifiers'];
    if (!Array.isArray(identifiers) || identifiers.length === 0) {
      throw invalidInput('FindingIdentifiers must contain at least one finding');
    }
    if (identifiers.length > MAX_IDENTIFIERS) {
      throw invalidInput(`FindingIdentifiers must contain at most ${MAX_IDENTIFIERS} findings`);
    }
    const note = body['Note'] === undefined ? undefined : asRecord(body['Note']);
    if (note !== undefined) {
      const text = note['Text'];
      const updatedBy = note['UpdatedBy'];
      if (typeof text !== 'string' || text.length < 1 || text.length > MAX_NOTE) {
        throw invalidInput(`Note.Text must be 1 to ${MAX_NOTE} characters`);
      }
      if (typeof updatedBy !== 'string' || updatedBy.length < 1 || updatedBy.length > MAX_NOTE) {
        throw invalidInput(`Note.UpdatedBy must be 1 to ${MAX_NOTE} characters`);
      }
    }
    const status = body['Workflow'] === undefined ? undefined : asRecord(body['Workflow'])['Status'];
    if (status !== undefined && (typeof status !== 'string' || !WORKFLOW_STATUSES.has(status))) {
      throw invalidInput(`Invalid Workflow.Status ${String(status)}`);
    }
    const processed: { Id: string; ProductArn: string }[] = [];
    const unprocessed: Record<string, unknown>[] = [];
    const noteAt = new Date(this.now()).toISOString();
    for (const raw of identifiers as unknown[]) {
      const id = asRecord(raw)['Id'];
      const productArn = asRecord(raw)['ProductArn'];
      if (typeof id !== 'string' || typeof productArn !== 'string') {
        throw invalidInput('Each FindingIdentifier needs Id and ProductArn');
      }
      const stored = this.byKey.get(keyOf(id, productArn));
      if (stored === undefined) {
        unprocessed.push({
          FindingIdentifier: { Id: id, ProductArn: productArn },
          ErrorCode: 'FindingNotFound',
          ErrorMessage: 'Finding Not Found',
        });
        continue;
      }
      // As on AWS: BatchUpdateFindings never moves UpdatedAt (that field belongs to the finding provider).
      const updated = {
        ...stored.finding,
        ...(status === undefined ? {} : { Workflow: { Status: status } }),
        ...(note === undefined
          ? {}
          : { Note: { Text: note['Text'], UpdatedBy: note['UpdatedBy'], UpdatedAt: noteAt } }),
      };
      if (Buffer.byteLength(JSON.stringify(updated)) > MAX_FINDING_BYTES) {
        unprocessed.push({
          FindingIdentifier: { Id: id, ProductArn: productArn },
          ErrorCode: 'FindingSizeExceeded',
          ErrorMessage: 'Finding size exceeded 240 KB',
        });
        continue;
      }
      stored.finding = updated;
      processed.push({ Id: id, ProductArn: productArn });
    }
    return { ProcessedFindings: processed, UnprocessedFindings: unprocessed };
  }

  private decodeToken(token: unknown, queryHash: string): number {
    try {
      const decoded = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8')) as {
        a?: unknown;
        q?: unknown;
      };
      if (typeof decoded.a === 'number' && decoded.q === queryHash) return decoded.a;
    } catch {
      // falls through to the same answer AWS gives for any token it did not issue
    }
    throw invalidInput('The NextToken is invalid or does not match the request');
  }

  private firstIndexAfter(seq: number): number {
    let low = 0;
    let high = this.list.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.list[mid]?.seq ?? Infinity) <= seq) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
