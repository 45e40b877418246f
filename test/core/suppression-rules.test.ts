import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SuppressionPolicy } from '../../src/core/owners/owners-policy.js';
import {
  addDays,
  cleanJustification,
  endOfDay,
  isoDay,
  validateSuppression,
} from '../../src/core/suppressions/suppression-rules.js';

const POLICY: SuppressionPolicy = {
  minJustificationLength: 20,
  maxJustificationLength: 200,
  maxDays: 90,
  defaultDays: 30,
  requireApproval: false,
};
const NOW = new Date('2025-01-10T12:00:00.000Z');
const GOOD = 'The vendor re-pushes latest nightly; migration planned for Q2.';
const validate = (justification: string, expires: string | undefined, now = NOW) =>
  validateSuppression({ justification, expires }, POLICY, now);

/** Unicode's Bidi_Control characters, and the zero-width ones that hide text. */
const BIDI = ['\u061c', '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e'];
const ISOLATES = ['\u2066', '\u2067', '\u2068', '\u2069'];
// eslint-disable-next-line no-control-regex -- the characters a stored justification may not hold
const FORBIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069]/;

/* eslint-disable no-control-regex -- the same class minus U+061C (see the bug below) */
const FORBIDDEN_BUT_U061C =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/;
/* eslint-enable no-control-regex */

describe('day helpers', () => {
  it('speaks UTC days', () => {
    expect(isoDay(new Date('2025-01-10T23:59:59.999Z'))).toBe('2025-01-10');
    expect(isoDay(addDays(NOW, 30))).toBe('2025-02-09');
    expect(endOfDay('2025-02-09')).toBe('2025-02-09T23:59:59.000Z');
  });
});

describe('cleanJustification', () => {
  it('drops control, zero-width and bidi characters, keeps newlines and tabs inside, trims', () => {
    expect(
      cleanJustification(
        '\u0000 a\u0007b\u001bc\u007fd\u0085e \u200bf\u202eg\u2066h\u2069 \r\nnext\rline\t! ',
      ),
    ).toBe('abcde fgh \nnext\nline\t!');
  });

  it('leaves markup people can type alone: escaping it is the adapters’ job', () => {
    const typed = '<!channel> @here <https://x.example|y> *bold* {code} [~user] &amp;';
    expect(cleanJustification(typed)).toBe(typed);
  });

  it('keeps letters of every script and emoji', () => {
    expect(cleanJustification('  Ärger 日本語 עברית 🚀 ')).toBe('Ärger 日本語 עברית 🚀');
  });

  it.each(
    [...BIDI.slice(1), ...ISOLATES].map((character) => [character.codePointAt(0)?.toString(16), character]),
  )('removes U+%s', (_code, character) => {
    expect(cleanJustification(`a${character}b`)).toBe('ab');
  });

  // BUG (src/core/suppressions/suppression-rules.ts:19): the character class misses U+061C ARABIC
  // LETTER MARK, one of Unicode's Bidi_Control characters (U+061C, U+200E/F, U+202A-E, U+2066-9),
  // so a justification can still reorder how the text around it is displayed in Slack and Jira.
  // Fix: add \u061c to the class (or strip /[\p{Cc}\p{Cf}]/u, keeping \n and \t).
  it('removes U+061C ARABIC LETTER MARK, a bidi control too', () => {
    expect(cleanJustification('a\u061cb')).toBe('ab');
  });

  it('never leaves a control or bidi character, whatever the input (property)', () => {
    const hostile = fc.constantFrom(
      '\u0000',
      '\u0007',
      '\u001b',
      '\u007f',
      '\u0085',
      '\u200b',
      ...BIDI.slice(1),
      ...ISOLATES,
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), hostile)), (parts) => {
        const cleaned = cleanJustification(parts.join(''));
        expect(cleaned).not.toMatch(FORBIDDEN_BUT_U061C);
        expect(cleaned).toBe(cleaned.trim());
      }),
      { seed: 20250110, numRuns: 300 },
    );
  });
});

describe('validateSuppression', () => {
  it('accepts a good justification and defaults the end to defaultDays, at the end of that UTC day', () => {
    expect(validate(`  ${GOOD}  `, undefined)).toEqual({
      ok: true,
      justification: GOOD,
      expiresAt: '2025-02-09T23:59:59.000Z',
    });
    expect(validate(GOOD, '   ')).toMatchObject({ ok: true, expiresAt: '2025-02-09T23:59:59.000Z' });
  });

  it.each([
    ['exactly the minimum', 'x'.repeat(20), true],
    ['one short', 'x'.repeat(19), false],
    ['exactly the maximum', 'x'.repeat(200), true],
    ['one too many', 'x'.repeat(201), false],
    ['the minimum only with invisible padding', `\u200b\u202e${'x'.repeat(19)}\u0000`, false],
    ['blank', ' \t\n ', false],
  ])('length: %s', (_name, justification, ok) => {
    const result = validate(justification, undefined);
    expect(result.ok).toBe(ok);
    if (!result.ok) expect(Object.keys(result.errors)).toEqual(['justification']);
  });

  it('counts length after cleaning, so control characters cannot pad a short text past the minimum', () => {
    expect(validate(`short${'\u0007'.repeat(50)}`, undefined)).toEqual({
      ok: false,
      errors: { justification: expect.stringMatching(/at least 20 characters/) },
    });
  });

  it.each([
    ['2025-01-11', true],
    ['2025-04-10', true],
    ['2025-01-10', false],
    ['2024-12-31', false],
    ['2025-04-11', false],
    ['2026-01-01', false],
    ['2025-1-20', false],
    ['20250120', false],
    ['next week', false],
    ['2025-01-20T00:00:00Z', false],
    ['2025-00-20', false],
    [' 2025-01-20 ', true],
  ])('end date %j → ok %s', (expires, ok) => {
    const result = validate(GOOD, expires);
    expect(result.ok).toBe(ok);
    if (!result.ok) expect(Object.keys(result.errors)).toEqual(['expires']);
  });

  it('judges "today" in UTC, right up to midnight', () => {
    const lastMoment = new Date('2025-01-10T23:59:59.999Z');
    expect(validate(GOOD, '2025-01-10', lastMoment).ok).toBe(false);
    expect(validate(GOOD, '2025-01-11', lastMoment).ok).toBe(true);
    expect(validate(GOOD, '2025-04-10', lastMoment).ok).toBe(true);
  });

  // BUG (src/core/suppressions/suppression-rules.ts:46): "malformed" is checked with the shape
  // /^\d{4}-\d{2}-\d{2}$/ plus Date.parse, but V8's Date.parse rolls impossible days over instead of
  // failing ('2025-02-30' → 2 March). So '2025-02-30' is accepted and stored as expiresAt
  // '2025-02-30T23:59:59.000Z': a date that does not exist, shown in the audit trail, the ticket
  // comment and the note. Fix: also require `isoDay(new Date(day)) === day`.
  it('refuses a day that does not exist (30 February)', () => {
    expect(validate(GOOD, '2025-02-30')).toMatchObject({ ok: false, errors: { expires: 'Pick a date.' } });
  });

  it('reports both fields at once', () => {
    expect(validate('nope', 'tomorrow')).toEqual({
      ok: false,
      errors: { justification: expect.any(String), expires: 'Pick a date.' },
    });
  });

  it('every accepted end lies after now and at most maxDays (+ the rest of that day) ahead (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 100 }), fc.integer({ min: 0, max: 86_399_999 }), (days, ms) => {
        const now = new Date(Date.parse('2025-01-10T00:00:00.000Z') + ms);
        const day = isoDay(addDays(now, days));
        const result = validate(GOOD, day, now);
        expect(result.ok).toBe(days >= 1 && days <= POLICY.maxDays);
        if (result.ok) {
          expect(Date.parse(result.expiresAt)).toBeGreaterThan(now.getTime());
          expect(result.expiresAt).toBe(endOfDay(day));
        }
      }),
      { seed: 20250110, numRuns: 300 },
    );
  });

  it('stores the cleaned text, free of every forbidden character', () => {
    const result = validate(`${GOOD}\u202e\u0000\u2066`, undefined);
    expect(result).toMatchObject({ ok: true, justification: GOOD });
    if (result.ok) expect(result.justification).not.toMatch(FORBIDDEN);
  });
});
