import type { Doc } from '../../src/core/document.js';
import { PERMANENT_UNPROCESSED_CODES } from '../../src/adapters/aws/securityhub-findings-source.js';
import { HubwardenError } from '../../src/core/errors.js';
import { parseFinding } from '../../src/core/findings/parse-finding.js';
import type { Finding, ImageSummary, RepositoryRef, TagMutability } from '../../src/core/model.js';
import type {
  Chat,
  MessageRef,
  RepositoryCard,
  RepositoryCardSubject,
  ReviewCardSubject,
  SuppressionReviewCard,
} from '../../src/core/ports/chat.js';
import type {
  FindingsQuery,
  FindingsSource,
  FindingsUpdate,
  FindingsUpdateResult,
  RawFindingsPage,
  UnprocessedFinding,
} from '../../src/core/ports/findings-source.js';
import type { RepositoryRegistry } from '../../src/core/ports/repository-registry.js';
import type {
  Assignee,
  NewTicket,
  Ticket,
  TicketChanges,
  TicketStatusCategory,
  TicketTracker,
} from '../../src/core/ports/ticket-tracker.js';
import type { Suppression } from '../../src/core/suppression.js';
import { ecr2Finding, type Asff, type Ecr2FindingInput } from '../fixtures/ecr2-findings.js';

/**
 * In-memory fakes of the core's driven ports. Each records every call so tests can assert what the
 * core did (and, above all, what it did not do on a rerun).
 */

export type Clock = () => Date;

/** A clock tests move by hand. */
export const manualClock = (start = '2025-01-10T12:00:00.000Z') => {
  let now = Date.parse(start);
  const clock: Clock = () => new Date(now);
  return {
    clock,
    advance: (ms: number) => {
      now += ms;
    },
    set: (iso: string) => {
      now = Date.parse(iso);
    },
  };
};

/** A parsed ECR.2 finding built from the shared fixtures. */
export const findingOf = (input: Ecr2FindingInput): Finding => {
  const parsed = parseFinding(ecr2Finding(input), 'ECR.2');
  if (!parsed.ok) throw new Error(`fixture did not parse: ${parsed.detail}`);
  return parsed.finding;
};

/** A suppression record of `repository`, active, with every optional field empty unless given. */
export const suppressionOf = (repository: RepositoryRef, over: Partial<Suppression> = {}): Suppression => ({
  id: 'sup-1',
  repository,
  ownerName: 'payments',
  ticketKey: 'SEC-1',
  requestedBy: 'U0ALICE',
  requestedAt: '2025-01-01T00:00:00.000Z',
  justification: 'Vendor image re-pushed nightly',
  expiresAt: '2025-02-01T00:00:00.000Z',
  status: 'active',
  reviewedBy: undefined,
  reviewedAt: undefined,
  endReason: undefined,
  endedAt: undefined,
  reviewMessage: undefined,
  ...over,
});

// ---------------------------------------------------------------- findings source

const MAX_UPDATE = 100;
const MAX_NOTE = 512;

/**
 * Security Hub: raw ASFF findings, served in pages. Like GetFindings, an empty result is one empty
 * page. It does not filter by control (the core must skip other controls itself); `resourceArn`
 * filters on `Resources[].Id`, `updatedSince` on `UpdatedAt`, which `updateWorkflow` leaves alone as BatchUpdateFindings does.
 */
export class FakeFindingsSource implements FindingsSource {
  readonly queries: FindingsQuery[] = [];
  readonly updates: FindingsUpdate[] = [];
  readonly #findings = new Map<string, Asff>();
  readonly #unprocessed = new Map<string, { times: number; errorCode: string }>();
  readonly #pageSize: number;

  constructor(options: { pageSize?: number } = {}) {
    this.#pageSize = options.pageSize ?? 100;
  }

  /** adds or replaces findings by `Id` (raw values of any shape are accepted, to test skipping) */
  put(...findings: unknown[]): this {
    findings.forEach((finding, index) => {
      const id =
        finding && typeof finding === 'object' && typeof (finding as Asff)['Id'] === 'string'
          ? String((finding as Asff)['Id'])
          : `malformed-${this.#findings.size}-${index}`;
      this.#findings.set(id, { ...(finding as Asff) });
    });
    return this;
  }

  remove(id: string): void {
    this.#findings.delete(id);
  }

  raw(id: string): Asff | undefined {
    return this.#findings.get(id);
  }

  /** the next `times` updates of these findings answer them as unprocessed with `errorCode` */
  leaveUnprocessed(ids: Iterable<string>, times = 1, errorCode = 'ConcurrentUpdateError'): void {
    for (const id of ids) this.#unprocessed.set(id, { times, errorCode });
  }

  /** ids sent in every `updateWorkflow` call so far, in order */
  updatedIds(): string[] {
    return this.updates.flatMap((update) => update.findings.map((finding) => finding.id));
  }

  async *pages(query: FindingsQuery): AsyncIterable<RawFindingsPage> {
    this.queries.push(query);
    const since = query.updatedSince?.getTime();
    const matching = [...this.#findings.values()].filter((finding) => {
      // as GetFindings' ResourceId filter: any of the finding's resources
      const resources = Array.isArray(finding['Resources'])
        ? (finding['Resources'] as { Id?: unknown }[])
        : [];
      if (
        query.resourceArn !== undefined &&
        !resources.some((resource) => resource?.Id === query.resourceArn)
      )
        return false;
      if (since === undefined) return true;
      const updatedAt = typeof finding['UpdatedAt'] === 'string' ? Date.parse(finding['UpdatedAt']) : NaN;
      return Number.isNaN(updatedAt) || updatedAt >= since;
    });
    let start = 0;
    do {
      yield { findings: matching.slice(start, start + this.#pageSize) };
      start += this.#pageSize;
    } while (start < matching.length);
  }

  async updateWorkflow(update: FindingsUpdate): Promise<FindingsUpdateResult> {
    if (update.findings.length > MAX_UPDATE || update.note.length > MAX_NOTE) {
      throw new HubwardenError('BatchUpdateFindings limits exceeded', {
        kind: 'permanent',
        code: 'securityhub.invalid_input',
        service: 'securityhub',
      });
    }
    this.updates.push({ ...update, findings: [...update.findings] });
    const processed: FindingsUpdateResult['processed'][number][] = [];
    const unprocessed: UnprocessedFinding[] = [];
    for (const identifier of update.findings) {
      const left = this.#unprocessed.get(identifier.id);
      const stored = this.#findings.get(identifier.id);
      if (left !== undefined || !stored) {
        if (left !== undefined && left.times > 1)
          this.#unprocessed.set(identifier.id, { ...left, times: left.times - 1 });
        else this.#unprocessed.delete(identifier.id);
        const errorCode = left?.errorCode ?? 'FindingNotFound';
        unprocessed.push({
          ...identifier,
          errorCode,
          errorMessage: 'left unprocessed by the fake',
          permanent: PERMANENT_UNPROCESSED_CODES.has(errorCode),
        });
        continue;
      }
      stored['Workflow'] = { Status: update.workflow };
      stored['Note'] = { Text: update.note, UpdatedBy: 'hubwarden', UpdatedAt: new Date().toISOString() };
      processed.push({ id: identifier.id, productArn: identifier.productArn });
    }
    return { processed, unprocessed };
  }
}

// ---------------------------------------------------------------- repository registry

export interface FakeRepository {
  tags: Record<string, string>;
  images: ImageSummary[];
  mutability: TagMutability | undefined;
}

const onlyEcr2 = (controlId: string): void => {
  if (controlId !== 'ECR.2') throw new Error(`the fake registry has no setting for control ${controlId}`);
};

export class FakeRepositoryRegistry implements RepositoryRegistry {
  readonly calls: { readonly method: keyof RepositoryRegistry; readonly arn: string }[] = [];
  readonly #repositories = new Map<string, FakeRepository>();

  set(arn: string, repository: Partial<FakeRepository>): this {
    this.#repositories.set(arn, { ...this.#of(arn), ...repository });
    return this;
  }

  #of(arn: string): FakeRepository {
    return this.#repositories.get(arn) ?? { tags: {}, images: [], mutability: 'MUTABLE' };
  }

  async tags(repository: RepositoryRef): Promise<Record<string, string>> {
    this.calls.push({ method: 'tags', arn: repository.arn });
    return { ...this.#of(repository.arn).tags };
  }

  async images(repository: RepositoryRef): Promise<ImageSummary[]> {
    this.calls.push({ method: 'images', arn: repository.arn });
    return [...this.#of(repository.arn).images];
  }

  /** ECR.2's setting, the tag mutability; any other control is refused, as the ECR adapter does */
  async readSetting(controlId: string, repository: RepositoryRef): Promise<TagMutability | undefined> {
    this.calls.push({ method: 'readSetting', arn: repository.arn });
    onlyEcr2(controlId);
    return this.#repositories.has(repository.arn) ? this.#of(repository.arn).mutability : undefined;
  }

  async applyFix(controlId: string, repository: RepositoryRef): Promise<void> {
    this.calls.push({ method: 'applyFix', arn: repository.arn });
    onlyEcr2(controlId);
    this.set(repository.arn, { mutability: 'IMMUTABLE' });
  }
}

// ---------------------------------------------------------------- ticket tracker

export interface FakeTicket {
  readonly key: string;
  url: string;
  summary: string;
  description: Doc;
  labels: string[];
  assignee: Assignee | undefined;
  status: TicketStatusCategory;
  created: string;
  readonly comments: Doc[];
}

export type TrackerCall =
  | { readonly method: 'findByLabels'; readonly labels: readonly string[] }
  | { readonly method: 'get'; readonly key: string }
  | { readonly method: 'create'; readonly ticket: NewTicket }
  | { readonly method: 'update'; readonly key: string; readonly changes: TicketChanges }
  | { readonly method: 'comment'; readonly key: string; readonly body: Doc }
  | { readonly method: 'transition'; readonly key: string; readonly name: string }
  | { readonly method: 'findUserByEmail'; readonly email: string };

const WRITES: ReadonlySet<TrackerCall['method']> = new Set(['create', 'update', 'comment', 'transition']);

export interface FakeTicketTrackerOptions {
  readonly clock?: Clock;
  /** tickets created less than this long ago (on `clock`) are invisible to `findByLabels` */
  readonly searchLagMs?: number;
  readonly project?: string;
  /** transition name → status category it leads to */
  readonly transitions?: Readonly<Record<string, TicketStatusCategory>>;
  /** e-mail → user */
  readonly users?: Readonly<Record<string, Assignee>>;
}

const notFound = (key: string) =>
  new HubwardenError(`Jira issue ${key} does not exist`, {
    kind: 'permanent',
    code: 'jira.not_found',
    service: 'jira',
    status: 404,
  });

/** Jira: consistent reads by key, a label search that may lag behind creation. */
export class FakeTicketTracker implements TicketTracker {
  readonly calls: TrackerCall[] = [];
  readonly tickets = new Map<string, FakeTicket>();
  readonly #clock: Clock;
  readonly #searchLagMs: number;
  readonly #project: string;
  readonly #transitions: Readonly<Record<string, TicketStatusCategory>>;
  readonly #users: Readonly<Record<string, Assignee>>;
  readonly #failures = new Map<TrackerCall['method'], Error[]>();
  #sequence = 0;
  #lastCreated = 0;

  constructor(options: FakeTicketTrackerOptions = {}) {
    this.#clock = options.clock ?? (() => new Date());
    this.#searchLagMs = options.searchLagMs ?? 0;
    this.#project = options.project ?? 'SEC';
    this.#transitions = options.transitions ?? { Done: 'done', Suppressed: 'done', 'To Do': 'open' };
    this.#users = options.users ?? {};
  }

  /** calls that change Jira */
  writes(): TrackerCall[] {
    return this.calls.filter((call) => WRITES.has(call.method));
  }

  /** a ticket that already exists (not recorded as a call); `created` defaults to now */
  seed(ticket: Partial<FakeTicket> & { labels: string[] }): FakeTicket {
    const key = ticket.key ?? this.#nextKey();
    const seeded: FakeTicket = {
      url: `https://jira.example/browse/${key}`,
      summary: 'seeded',
      description: [],
      assignee: undefined,
      status: 'open',
      created: this.#createdNow(),
      comments: [],
      ...ticket,
      key,
    };
    this.tickets.set(key, seeded);
    return seeded;
  }

  /** the next call of `method` throws `error` (after being recorded), e.g. a crash mid-way */
  failNext(method: TrackerCall['method'], error: Error): void {
    this.#failures.set(method, [...(this.#failures.get(method) ?? []), error]);
  }

  #record(call: TrackerCall): void {
    this.calls.push(call);
    const error = this.#failures.get(call.method)?.shift();
    if (error) throw error;
  }

  /** someone deleted the ticket in Jira */
  deleteTicket(key: string): void {
    this.tickets.delete(key);
  }

  #nextKey(): string {
    this.#sequence += 1;
    return `${this.#project}-${this.#sequence}`;
  }

  /** creation times strictly increase, as Jira's do */
  #createdNow(): string {
    this.#lastCreated = Math.max(this.#clock().getTime(), this.#lastCreated + 1);
    return new Date(this.#lastCreated).toISOString();
  }

  #ticket(fake: FakeTicket): Ticket {
    return {
      key: fake.key,
      url: fake.url,
      summary: fake.summary,
      status: fake.status,
      statusName: fake.status === 'open' ? 'To Do' : 'Done',
      labels: [...fake.labels],
      created: fake.created,
    };
  }

  #existing(key: string): FakeTicket {
    const fake = this.tickets.get(key);
    if (!fake) throw notFound(key);
    return fake;
  }

  async findByLabels(labels: readonly string[]): Promise<Ticket[]> {
    this.#record({ method: 'findByLabels', labels: [...labels] });
    const visibleBefore = this.#clock().getTime() - this.#searchLagMs;
    return [...this.tickets.values()]
      .filter((fake) => labels.every((label) => fake.labels.includes(label)))
      .filter((fake) => this.#searchLagMs === 0 || Date.parse(fake.created) <= visibleBefore)
      .map((fake) => this.#ticket(fake));
  }

  async get(key: string): Promise<Ticket | undefined> {
    this.#record({ method: 'get', key });
    const fake = this.tickets.get(key);
    return fake && this.#ticket(fake);
  }

  async create(ticket: NewTicket): Promise<Ticket> {
    this.#record({ method: 'create', ticket });
    const key = this.#nextKey();
    const fake: FakeTicket = {
      key,
      url: `https://jira.example/browse/${key}`,
      summary: ticket.summary,
      description: ticket.description,
      labels: [...ticket.labels],
      assignee: ticket.assignee,
      status: 'open',
      created: this.#createdNow(),
      comments: [],
    };
    this.tickets.set(key, fake);
    return this.#ticket(fake);
  }

  async update(key: string, changes: TicketChanges): Promise<void> {
    this.#record({ method: 'update', key, changes });
    const fake = this.#existing(key);
    if (changes.summary !== undefined) fake.summary = changes.summary;
    if (changes.description !== undefined) fake.description = changes.description;
    if (changes.assignee !== undefined) fake.assignee = changes.assignee;
  }

  async comment(key: string, body: Doc): Promise<void> {
    this.#record({ method: 'comment', key, body });
    this.#existing(key).comments.push(body);
  }

  async transition(key: string, name: string): Promise<void> {
    this.#record({ method: 'transition', key, name });
    const fake = this.#existing(key);
    const target = this.#transitions[name];
    if (!target) {
      throw new HubwardenError(`no transition "${name}"`, {
        kind: 'permanent',
        code: 'jira.unknown_transition',
        service: 'jira',
      });
    }
    fake.status = target;
  }

  async findUserByEmail(email: string): Promise<Assignee | undefined> {
    this.#record({ method: 'findUserByEmail', email });
    return this.#users[email.toLowerCase()];
  }
}

// ---------------------------------------------------------------- chat

export type ChatCall =
  | { readonly method: 'postRepositoryCard'; readonly channel: string; readonly card: RepositoryCard }
  | { readonly method: 'findRepositoryCard'; readonly channel: string; readonly repositoryKey: string }
  | { readonly method: 'findSuppressionReview'; readonly channel: string; readonly suppressionId: string }
  | { readonly method: 'updateRepositoryCard'; readonly ref: MessageRef; readonly card: RepositoryCard }
  | {
      readonly method: 'postSuppressionReview';
      readonly channel: string;
      readonly review: SuppressionReviewCard;
    }
  | {
      readonly method: 'updateSuppressionReview';
      readonly ref: MessageRef;
      readonly review: SuppressionReviewCard;
    }
  | {
      readonly method: 'notifyEphemeral';
      readonly channel: string;
      readonly user: string;
      readonly text: string;
    }
  | { readonly method: 'notify'; readonly channel: string; readonly text: string }
  | { readonly method: 'userIdByEmail'; readonly email: string }
  | { readonly method: 'isRepositoryCard'; readonly ref: MessageRef; readonly repositoryKey: string }
  | { readonly method: 'reviewCardAt'; readonly ref: MessageRef; readonly suppressionId: string }
  | { readonly method: 'repositoryCardAt'; readonly ref: MessageRef; readonly repositoryKey: string };

/** Slack: messages are kept by `channel:ts`, so tests can read what people would see now. */
export class FakeChat implements Chat {
  readonly calls: ChatCall[] = [];
  readonly messages = new Map<string, RepositoryCard | SuppressionReviewCard | string>();
  /** cards carry only the key or id in their metadata, as before they named the repository's ARN */
  legacyCards = false;
  readonly #users: Readonly<Record<string, string>>;
  #ts = 0;

  constructor(options: { users?: Readonly<Record<string, string>> } = {}) {
    this.#users = options.users ?? {};
  }

  /** calls that post or change something people see */
  writes(): ChatCall[] {
    return this.calls.filter(
      (call) =>
        call.method !== 'userIdByEmail' &&
        call.method !== 'findRepositoryCard' &&
        call.method !== 'findSuppressionReview' &&
        call.method !== 'isRepositoryCard' &&
        call.method !== 'reviewCardAt' &&
        call.method !== 'repositoryCardAt',
    );
  }

  #nextRef(channel: string): MessageRef {
    this.#ts += 1;
    return { channel, ts: `1700000000.${String(this.#ts).padStart(6, '0')}` };
  }

  async postRepositoryCard(channel: string, card: RepositoryCard): Promise<MessageRef> {
    this.calls.push({ method: 'postRepositoryCard', channel, card });
    const ref = this.#nextRef(channel);
    this.messages.set(`${ref.channel}:${ref.ts}`, card);
    return ref;
  }

  /** the newest card in `channel` for this repository, like Slack's history with message metadata */
  async findRepositoryCard(channel: string, repositoryKey: string): Promise<MessageRef | undefined> {
    this.calls.push({ method: 'findRepositoryCard', channel, repositoryKey });
    const found = [...this.messages.entries()]
      .filter(
        ([id, card]) =>
          id.startsWith(`${channel}:`) &&
          typeof card === 'object' &&
          'repository' in card &&
          card.repository.key === repositoryKey,
      )
      .at(-1);
    if (!found) return undefined;
    const [id] = found;
    return { channel, ts: id.slice(channel.length + 1) };
  }

  async isRepositoryCard(ref: MessageRef, repositoryKey: string): Promise<boolean> {
    this.calls.push({ method: 'isRepositoryCard', ref, repositoryKey });
    const card = this.messages.get(`${ref.channel}:${ref.ts}`);
    return typeof card === 'object' && 'repository' in card && card.repository.key === repositoryKey;
  }

  async repositoryCardAt(ref: MessageRef, repositoryKey: string): Promise<RepositoryCardSubject | undefined> {
    this.calls.push({ method: 'repositoryCardAt', ref, repositoryKey });
    const card = this.messages.get(`${ref.channel}:${ref.ts}`);
    if (typeof card !== 'object' || !('repository' in card) || card.repository.key !== repositoryKey)
      return undefined;
    return { repositoryKey, repositoryArn: this.legacyCards ? undefined : card.repository.arn };
  }

  async updateRepositoryCard(ref: MessageRef, card: RepositoryCard): Promise<void> {
    this.calls.push({ method: 'updateRepositoryCard', ref, card });
    this.messages.set(`${ref.channel}:${ref.ts}`, card);
  }

  async postSuppressionReview(channel: string, review: SuppressionReviewCard): Promise<MessageRef> {
    this.calls.push({ method: 'postSuppressionReview', channel, review });
    const ref = this.#nextRef(channel);
    this.messages.set(`${ref.channel}:${ref.ts}`, review);
    return ref;
  }

  /** the newest review card in `channel` for this suppression, like Slack's history with message metadata */
  async findSuppressionReview(channel: string, suppressionId: string): Promise<MessageRef | undefined> {
    this.calls.push({ method: 'findSuppressionReview', channel, suppressionId });
    const found = [...this.messages.entries()]
      .filter(
        ([id, review]) =>
          id.startsWith(`${channel}:`) &&
          typeof review === 'object' &&
          'actions' in review &&
          'suppression' in review &&
          !('repository' in review) &&
          review.suppression.id === suppressionId,
      )
      .at(-1);
    return found ? { channel, ts: found[0].slice(channel.length + 1) } : undefined;
  }

  /** as Slack's metadata: cards posted before it named the repository (`legacyCards`) name only the id */
  async reviewCardAt(ref: MessageRef, suppressionId: string): Promise<ReviewCardSubject | undefined> {
    this.calls.push({ method: 'reviewCardAt', ref, suppressionId });
    const review = this.messages.get(`${ref.channel}:${ref.ts}`);
    if (typeof review !== 'object' || !('actions' in review) || !('suppression' in review)) return undefined;
    if ('repository' in review || review.suppression.id !== suppressionId) return undefined;
    return {
      suppressionId,
      repositoryArn: this.legacyCards ? undefined : review.suppression.repository.arn,
    };
  }

  async updateSuppressionReview(ref: MessageRef, review: SuppressionReviewCard): Promise<void> {
    this.calls.push({ method: 'updateSuppressionReview', ref, review });
    this.messages.set(`${ref.channel}:${ref.ts}`, review);
  }

  async notifyEphemeral(channel: string, user: string, text: string): Promise<void> {
    this.calls.push({ method: 'notifyEphemeral', channel, user, text });
  }

  async notify(channel: string, text: string): Promise<MessageRef> {
    this.calls.push({ method: 'notify', channel, text });
    const ref = this.#nextRef(channel);
    this.messages.set(`${ref.channel}:${ref.ts}`, text);
    return ref;
  }

  async userIdByEmail(email: string): Promise<string | undefined> {
    this.calls.push({ method: 'userIdByEmail', email });
    return this.#users[email.toLowerCase()];
  }
}
