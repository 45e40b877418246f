import type { Finding, MessageRef, OwnerResolution } from '../model.js';
import type { Suppression } from '../suppression.js';
import {
  auditRecordOf,
  formatAuditRecord,
  parseAuditRecord,
  type AuditRecord,
} from '../suppressions/audit-record.js';

const NOTE_LIMIT = 512;
const TICKET_IN_NOTE = /\bJira ([A-Z][A-Z0-9_]+-\d+)\b/;

/** Security Hub keeps at most 512 characters of note text. */
export const clampNote = (note: string): string => {
  if (note.length <= NOTE_LIMIT) return note;
  let end = NOTE_LIMIT - 1;
  // Never cut a surrogate pair (an emoji in a justification) in half.
  const last = note.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${note.slice(0, end)}…`;
};

/** How every suppression note starts (this and earlier versions), so hubwarden's own suppressions can be told apart. */
export const SUPPRESSED_NOTE = 'hubwarden: suppressed';
const SUPPRESSED_HEAD = 'hubwarden: suppressed.';
/** How the note of findings whose suppression waits for review starts (their status does not change). */
export const PENDING_NOTE = 'hubwarden: suppression pending review.';
/** How the note of findings whose suppression request was rejected or lapsed unanswered starts. */
const REQUEST_CLOSED_NOTE = 'hubwarden: suppression request closed.';

/** Where hubwarden's records live outside Redis: each note names the ticket and the chat message. */
export interface NoteRefs {
  readonly ticketKey: string | undefined;
  readonly message: MessageRef | undefined;
}

const refs = ({ ticketKey, message }: NoteRefs): string =>
  `${ticketKey ? ` Jira ${ticketKey}.` : ''}${message ? ` Slack ${message.channel}/${message.ts}.` : ''}`;

/**
 * Note texts. The references come first and the free text (a justification) last, so clamping to 512
 * characters never cuts a reference: they are how hubwarden finds its ticket and message after losing Redis.
 */
/** How a "back to NEW" note starts: such findings keep NEW and their reason (why a suppression ended). */
export const RESTORED_NOTE = 'hubwarden: back to NEW.';

/** Marks a note written while the ticket could not be made: it is rewritten once the ticket exists. */
export const TICKET_FAILED_MARK = ' Ticket failed:';

const JUSTIFICATION = ' Justification: ';
const JUSTIFICATION_CUT = ' Justification (cut): ';
const CUT = '…';

/** The first `length` code units, never half a surrogate pair. */
const cutAt = (text: string, length: number): string => {
  const last = text.charCodeAt(length - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? length - 1 : length);
};

/**
 * A note that carries a suppression's audit record: head, record, references, an optional fixed tail, then
 * the justification, cut to fit 512 characters and then marked `Justification (cut):` and ending in `…`.
 * The owner's name is left out before the justification would have no room at all.
 */
const suppressionNote = (head: string, at: NoteRefs, suppression: Suppression, tail = ''): string => {
  const record = auditRecordOf(suppression);
  const justification = suppression.justification;
  for (const withOwner of [true, false]) {
    const prefix = `${head} ${formatAuditRecord(record, { withOwner })}${refs(at)}${tail}`;
    if (prefix.length + JUSTIFICATION.length + justification.length <= NOTE_LIMIT) {
      return `${prefix}${JUSTIFICATION}${justification}`;
    }
    const room = NOTE_LIMIT - prefix.length - JUSTIFICATION_CUT.length - CUT.length;
    if (room >= 0) return `${prefix}${JUSTIFICATION_CUT}${cutAt(justification, room)}${CUT}`;
  }
  return clampNote(`${head}${refs(at)}${tail}${JUSTIFICATION}${justification}`);
};

export const notes = {
  notified: (at: NoteRefs, owner: OwnerResolution, ticketProblem?: string) =>
    clampNote(
      `hubwarden: tracked.${refs(at)}${ticketProblem ? `${TICKET_FAILED_MARK} ${ticketProblem}` : ''} Owner ${owner.owner.name} (${owner.detail}).`,
    ),
  fixed: (at: NoteRefs, by: string, when: string) =>
    clampNote(`hubwarden: fixed.${refs(at)} Image tags set to IMMUTABLE and verified by ${by} at ${when}.`),
  suppressed: (at: NoteRefs, suppression: Suppression) => suppressionNote(SUPPRESSED_HEAD, at, suppression),
  pending: (at: NoteRefs, suppression: Suppression) => suppressionNote(PENDING_NOTE, at, suppression),
  requestClosed: (at: NoteRefs, suppression: Suppression) =>
    suppressionNote(REQUEST_CLOSED_NOTE, at, suppression),
  restored: (at: NoteRefs, why: string, suppression?: Suppression) =>
    suppression
      ? suppressionNote(RESTORED_NOTE, at, suppression, ` Why: ${why}.`)
      : clampNote(`${RESTORED_NOTE}${refs(at)} Why: ${why}.`),
};

/** A suppression as a note carries it: the justification may have been cut to fit. */
export interface SuppressionInNote {
  readonly record: AuditRecord;
  readonly justification: string;
  readonly justificationCut: boolean;
}

const NOTE_HEADS = [SUPPRESSED_HEAD, PENDING_NOTE, REQUEST_CLOSED_NOTE, RESTORED_NOTE];

/**
 * The suppression a note written by `notes.suppressed`, `pending`, `requestClosed` or `restored` carries. Only a
 * record right after the head counts: one further on would be user text (a justification) imitating it.
 */
export const parseSuppressionNote = (note: string | undefined): SuppressionInNote | undefined => {
  if (!note || !NOTE_HEADS.some((head) => note.startsWith(`${head} [suppression `))) return undefined;
  const parsed = parseAuditRecord(note);
  if (!parsed || note.indexOf('[') !== note.indexOf('[suppression ')) return undefined;
  const rest = note.slice(parsed.end);
  const plain = rest.indexOf(JUSTIFICATION);
  const cut = rest.indexOf(JUSTIFICATION_CUT);
  if (plain < 0 && cut < 0) return undefined;
  if (cut >= 0 && (plain < 0 || cut < plain)) {
    const text = rest.slice(cut + JUSTIFICATION_CUT.length);
    return {
      record: parsed.record,
      justification: text.endsWith(CUT) ? text.slice(0, -CUT.length) : text,
      justificationCut: true,
    };
  }
  return {
    record: parsed.record,
    justification: rest.slice(plain + JUSTIFICATION.length),
    justificationCut: false,
  };
};

/** Only the references part of a note counts: free text after it (a justification) could imitate one. */
const referencesOf = (note: string | undefined): string =>
  note?.split(/ (?:Owner|Image tags|Justification|Why:|Ticket failed:)/)[0] ?? '';

const MESSAGE_IN_NOTE = /\bSlack ([A-Z0-9]+)\/(\d+\.\d+)\./;

/** The chat message hubwarden last named in any of these findings' notes. */
export const messageRefFromNotes = (findings: readonly Finding[]): MessageRef | undefined => {
  for (const finding of findings) {
    const match = MESSAGE_IN_NOTE.exec(referencesOf(finding.hubwardenNote));
    if (match?.[1] && match[2]) return { channel: match[1], ts: match[2] };
  }
  return undefined;
};

/** The ticket key hubwarden last wrote into any of these findings' notes. */
export const ticketKeyFromNotes = (findings: readonly Finding[]): string | undefined => {
  for (const finding of findings) {
    const match = TICKET_IN_NOTE.exec(referencesOf(finding.hubwardenNote));
    if (match?.[1]) return match[1];
  }
  return undefined;
};
