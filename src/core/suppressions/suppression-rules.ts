import type { SuppressionPolicy } from '../owners/owners-policy.js';

const DAY = 86_400_000;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** YYYY-MM-DD of an instant, in UTC. */
export const isoDay = (date: Date): string => date.toISOString().slice(0, 10);

export const addDays = (date: Date, days: number): Date => new Date(date.getTime() + days * DAY);

/** A suppression ends at the end of its last day (UTC). */
export const endOfDay = (day: string): string => `${day}T23:59:59.000Z`;

/** Letters, digits and punctuation people type; control characters are never part of a justification. */
export const cleanJustification = (value: string): string =>
  value
    .replace(/\r\n?/g, '\n')
    // Control and format characters (incl. every bidi control) go; line breaks and tabs stay.
    .replace(/[^\P{Cc}\n\t]|\p{Cf}/gu, '')
    .trim();

export interface SuppressionFieldErrors {
  justification?: string;
  expires?: string;
}

/**
 * The suppress modal's rules: a justification of the configured length, an end date after today
 * and at most `maxDays` away; no date means the default length.
 */
export const validateSuppression = (
  input: { justification: string; expires: string | undefined },
  policy: SuppressionPolicy,
  now: Date,
): { ok: true; justification: string; expiresAt: string } | { ok: false; errors: SuppressionFieldErrors } => {
  const errors: SuppressionFieldErrors = {};
  const justification = cleanJustification(input.justification);
  if (justification.length < policy.minJustificationLength) {
    errors.justification = `Write at least ${policy.minJustificationLength} characters: why is it safe to leave tags mutable, and until when?`;
  } else if (justification.length > policy.maxJustificationLength) {
    errors.justification = `Keep it under ${policy.maxJustificationLength} characters.`;
  }
  const today = isoDay(now);
  const latest = isoDay(addDays(now, policy.maxDays));
  const day = input.expires?.trim() || isoDay(addDays(now, policy.defaultDays));
  // Date.parse('2025-02-30') answers 2 March: only a day that reads back the same exists.
  if (!ISO_DATE.test(day) || Number.isNaN(Date.parse(day)) || isoDay(new Date(day)) !== day) {
    errors.expires = 'Pick a date.';
  } else if (day <= today) errors.expires = 'The end date must be after today.';
  else if (day > latest)
    errors.expires = `A suppression may last at most ${policy.maxDays} days (until ${latest}).`;
  if (errors.justification || errors.expires) return { ok: false, errors };
  return { ok: true, justification, expiresAt: endOfDay(day) };
};
