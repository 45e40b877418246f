import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { notes, parseSuppressionNote } from '../../src/core/findings/workflow-notes.js';
import { parseAuditRecord, formatAuditRecord } from '../../src/core/suppressions/audit-record.js';
import type { Suppression } from '../../src/core/suppression.js';
import { findingOf, suppressionOf } from '../support/fake-ports.js';

const repository = findingOf({
  accountId: '111111111111',
  region: 'eu-west-1',
  repositoryName: 'alpha',
}).repository;

const iso = fc
  .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2040-01-01T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString());
const endOfDay = iso.map((time) => `${time.slice(0, 10)}T23:59:59.000Z`);
const slackId = fc.stringMatching(/^[UW][A-Z0-9]{8,10}$/);
/** any text, spaces, brackets, `=`, `@`, `/`, `%` and all */
const anyText = fc.string({ unit: 'grapheme', maxLength: 40 });
const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });

/**
 * Suppressions; `people` and `channels` say what user ids and review message references look like
 * (Slack's own shapes, or any text to exercise the escaping).
 */
const suppressionsOf = (
  people: fc.Arbitrary<string>,
  channels: fc.Arbitrary<string>,
): fc.Arbitrary<Suppression> =>
  fc
    .record({
      id: fc.stringMatching(/^s[0-9a-f]{15}$/),
      status: fc.constantFrom('pending', 'active', 'revoked', 'expired'),
      ownerName: fc.oneof(anyText, fc.emailAddress()),
      requestedBy: people,
      requestedAt: iso,
      expiresAt: fc.oneof(endOfDay, iso),
      activatedAt: maybe(iso),
      review: maybe(fc.record({ by: people, at: iso })),
      endedAt: maybe(iso),
      reviewMessage: maybe(
        fc.record({ channel: channels, ts: fc.oneof(fc.constant('1733050000.000100'), channels) }),
      ),
      justification: fc.oneof(
        fc.string({ unit: 'grapheme', maxLength: 600 }),
        fc.string({ unit: 'binary', maxLength: 2000 }),
      ),
    })
    .map(({ review, ...fields }) =>
      suppressionOf(repository, {
        ...fields,
        reviewedBy: review?.by,
        reviewedAt: review?.at,
      }),
    );

const anySuppression = suppressionsOf(anyText, anyText);
/** what Slack sends: user ids and channel ids are short upper-case words */
const slackSuppression = suppressionsOf(slackId, fc.stringMatching(/^C[A-Z0-9]{8,10}$/));

const refsArb = fc.record({
  ticketKey: maybe(fc.stringMatching(/^[A-Z][A-Z0-9_]{1,9}-[1-9]\d{0,5}$/)),
  message: maybe(
    fc.record({ channel: fc.stringMatching(/^C[A-Z0-9]{8,10}$/), ts: fc.constant('1733050000.000100') }),
  ),
});

const recordFields = (suppression: Suppression) => ({
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

describe('the audit record of a suppression', () => {
  it('reads back exactly what was written (format then parse)', () => {
    fc.assert(
      fc.property(anySuppression, (suppression) => {
        const text = formatAuditRecord(recordFields(suppression));
        expect(text).not.toMatch(/[^\S ]| {2}/u); // one line, single spaces between fields
        expect(parseAuditRecord(`before ${text} after`)?.record).toEqual(recordFields(suppression));
      }),
      { numRuns: 500 },
    );
  });

  it('fits every note in 512 characters and reads the suppression back, the justification cut but marked', () => {
    const writers = [notes.suppressed, notes.pending, notes.requestClosed] as const;
    fc.assert(
      fc.property(slackSuppression, refsArb, fc.constantFrom(0, 1, 2, 3), (suppression, refs, which) => {
        const note =
          which === 3
            ? notes.restored(refs, 'the suppression ended (it expired on 2025-02-01)', suppression)
            : writers[which]!(refs, suppression);
        expect(note.length).toBeLessThanOrEqual(512);
        const parsed = parseSuppressionNote(note);
        // an owner name too long for the note is the one field left out
        expect(parsed?.record).toEqual({
          ...recordFields(suppression),
          ownerName: parsed?.record.ownerName === undefined ? undefined : suppression.ownerName,
        });
        if (parsed?.justificationCut) {
          expect(suppression.justification.startsWith(parsed.justification)).toBe(true);
          expect(parsed.justification.length).toBeLessThan(suppression.justification.length);
          expect(note.endsWith('…')).toBe(true);
        } else {
          expect(parsed?.justification).toBe(suppression.justification);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('keeps the owner, the people, the dates and the review message for an ordinary suppression', () => {
    const suppression = suppressionOf(repository, {
      id: 's0123456789abcde',
      status: 'active',
      ownerName: 'payments',
      requestedBy: 'U0ALICE',
      expiresAt: '2025-02-01T23:59:59.000Z',
      activatedAt: '2025-01-01T10:00:00.000Z',
      reviewedBy: 'U0SECLEAD',
      reviewedAt: '2025-01-01T10:00:00.000Z',
      reviewMessage: { channel: 'C0REVIEW', ts: '1735725600.000200' },
      justification: 'x'.repeat(600),
    });
    const note = notes.suppressed({ ticketKey: 'SEC-1', message: undefined }, suppression);
    expect(note).toMatch(
      /^hubwarden: suppressed\. \[suppression s0123456789abcde status=active owner=payments requested=U0ALICE@2025-01-01T00:00:00\.000Z until=2025-02-01 activated=2025-01-01T10:00:00\.000Z reviewed=U0SECLEAD@2025-01-01T10:00:00\.000Z review=C0REVIEW\/1735725600\.000200\] Jira SEC-1\. Justification \(cut\): x+…$/,
    );
    expect(note).toHaveLength(512);
    expect(parseSuppressionNote(note)).toMatchObject({ justificationCut: true });
  });

  it('ignores a record that a justification imitates', () => {
    const forged = suppressionOf(repository, {
      justification:
        '[suppression sFAKE status=active requested=U0EVE@2025-01-01T00:00:00.000Z until=2099-01-01]',
    });
    // an older note format, where the justification is the only record-like text
    const legacy = `hubwarden: suppressed by U0EVE until 2099-01-01. Justification: ${forged.justification}`;
    expect(parseSuppressionNote(legacy)).toBeUndefined();
    expect(
      parseSuppressionNote(
        notes.notified(
          { ticketKey: 'SEC-1', message: undefined },
          {
            owner: {
              name: '[suppression sX status=active]',
              jiraAccountId: undefined,
              jiraUser: undefined,
              slackChannel: undefined,
              slackUsers: [],
              email: undefined,
            },
            rule: 'default',
            detail: 'defaultOwner',
          },
        ),
      ),
    ).toBeUndefined();
    expect(
      parseSuppressionNote(notes.suppressed({ ticketKey: 'SEC-1', message: undefined }, forged))?.record.id,
    ).toBe('sup-1');
  });
});
