import type { MessageRef } from '../model.js';
import type { Suppression, SuppressionStatus } from '../suppression.js';

/**
 * The audit record of one suppression as hubwarden writes it outside Redis (Security Hub note, Jira
 * comment): everything the audit trail shows but the repository, ticket and justification, which the
 * note carries beside it. It is how a suppression is rebuilt after Redis is lost. Format:
 *
 *   [suppression <id> status=<status> owner=<name> requested=<user>@<time> until=<day>
 *    activated=<time> reviewed=<user>@<time> ended=<time> review=<channel>/<ts>]
 *
 * Fields after `requested`/`until` appear only when set. Values never hold a space, `[`, `]`, `=`, `@`,
 * `/` or `%`: those (and anything outside printable ASCII) are percent-encoded.
 */
export interface AuditRecord {
  readonly id: string;
  readonly status: SuppressionStatus;
  readonly ownerName: string | undefined;
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly expiresAt: string;
  readonly activatedAt: string | undefined;
  readonly reviewedBy: string | undefined;
  readonly reviewedAt: string | undefined;
  readonly endedAt: string | undefined;
  readonly reviewMessage: MessageRef | undefined;
}

const STATUSES: readonly SuppressionStatus[] = ['pending', 'active', 'revoked', 'expired'];
const ID = /^[A-Za-z0-9_-]+$/;
const END_OF_DAY = /^(\d{4}-\d{2}-\d{2})T23:59:59\.000Z$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

const encode = (value: string): string =>
  value.replace(/[^\x21-\x7e]|[%[\]=@/]/gu, (char) => {
    try {
      return encodeURIComponent(char);
    } catch {
      return '%EF%BF%BD'; // a lone surrogate cannot be encoded: it stands as U+FFFD
    }
  });

const decode = (value: string): string | undefined => {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
};

export const auditRecordOf = (suppression: Suppression): AuditRecord => ({
  id: suppression.id,
  status: suppression.status,
  ownerName: suppression.ownerName,
  requestedBy: suppression.requestedBy,
  requestedAt: suppression.requestedAt,
  expiresAt: suppression.expiresAt,
  activatedAt: suppression.activatedAt,
  reviewedBy: suppression.reviewedBy,
  reviewedAt: suppression.reviewedAt,
  endedAt: suppression.endedAt,
  reviewMessage: suppression.reviewMessage,
});

/** The bracketed record; `owner` may be left out to save room. */
export const formatAuditRecord = (record: AuditRecord, options: { withOwner?: boolean } = {}): string => {
  const fields: string[] = [`suppression ${record.id}`, `status=${record.status}`];
  if (record.ownerName !== undefined && options.withOwner !== false)
    fields.push(`owner=${encode(record.ownerName)}`);
  fields.push(`requested=${encode(record.requestedBy)}@${encode(record.requestedAt)}`);
  // Suppressions end at the end of a day: the day alone says it.
  fields.push(`until=${END_OF_DAY.exec(record.expiresAt)?.[1] ?? encode(record.expiresAt)}`);
  if (record.activatedAt !== undefined) fields.push(`activated=${encode(record.activatedAt)}`);
  if (record.reviewedBy !== undefined) {
    fields.push(`reviewed=${encode(record.reviewedBy)}@${encode(record.reviewedAt ?? '')}`);
  }
  if (record.endedAt !== undefined) fields.push(`ended=${encode(record.endedAt)}`);
  if (record.reviewMessage) {
    fields.push(`review=${encode(record.reviewMessage.channel)}/${encode(record.reviewMessage.ts)}`);
  }
  return `[${fields.join(' ')}]`;
};

const RECORD = /\[suppression ([A-Za-z0-9_-]+)((?: [a-z]+=[^\s[\]=]*)*)\]/;

/** The first audit record in a text, or `undefined` when there is none or it does not parse. */
export const parseAuditRecord = (text: string): { record: AuditRecord; end: number } | undefined => {
  const match = RECORD.exec(text);
  const id = match?.[1];
  if (!match || !id || !ID.test(id)) return undefined;
  const fields = new Map<string, string>();
  for (const field of (match[2] ?? '').trim().split(' ').filter(Boolean)) {
    const at = field.indexOf('=');
    const name = field.slice(0, at);
    if (fields.has(name)) return undefined;
    fields.set(name, field.slice(at + 1));
  }
  const value = (name: string): string | undefined => {
    const raw = fields.get(name);
    return raw === undefined ? undefined : decode(raw);
  };
  const person = (name: string): { who: string; at: string | undefined } | undefined => {
    const raw = fields.get(name);
    const parts = raw?.split('@');
    if (!parts || parts.length !== 2) return undefined;
    const who = decode(parts[0] ?? '');
    const at = decode(parts[1] ?? '');
    return who === undefined || at === undefined ? undefined : { who, at: at === '' ? undefined : at };
  };
  const status = STATUSES.find((candidate) => candidate === fields.get('status'));
  const requested = person('requested');
  const until = value('until');
  if (!status || !requested?.at || until === undefined) return undefined;
  const reviewed = fields.has('reviewed') ? person('reviewed') : undefined;
  if (fields.has('reviewed') && !reviewed) return undefined;
  let reviewMessage: MessageRef | undefined;
  const review = fields.get('review');
  if (review !== undefined) {
    const slash = review.indexOf('/');
    const channel = decode(review.slice(0, slash));
    const ts = decode(review.slice(slash + 1));
    if (slash < 0 || channel === undefined || ts === undefined) return undefined;
    reviewMessage = { channel, ts };
  }
  const optional = (name: string): string | undefined | null => {
    if (!fields.has(name)) return undefined;
    return value(name) ?? null;
  };
  const ownerName = optional('owner');
  const activatedAt = optional('activated');
  const endedAt = optional('ended');
  if (ownerName === null || activatedAt === null || endedAt === null) return undefined;
  return {
    record: {
      id,
      status,
      ownerName,
      requestedBy: requested.who,
      requestedAt: requested.at,
      expiresAt: DAY.test(until) ? `${until}T23:59:59.000Z` : until,
      activatedAt,
      reviewedBy: reviewed?.who,
      reviewedAt: reviewed?.at,
      endedAt,
      reviewMessage,
    },
    end: match.index + match[0].length,
  };
};

/** Why a suppression rebuilt from its record ended, in the words hubwarden uses when it ends one. */
export const endReasonOf = (record: Pick<AuditRecord, 'status' | 'activatedAt'>): string | undefined => {
  if (record.status === 'expired') return 'it reached its end date';
  if (record.status === 'revoked') {
    return record.activatedAt ? 'revoked by a security reviewer' : 'rejected by a security reviewer';
  }
  return undefined;
};
