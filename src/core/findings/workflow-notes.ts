import type { Finding, MessageRef, OwnerResolution } from '../model.js';

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

/** How every suppression note starts, so hubwarden's own suppressions can be told apart. */
export const SUPPRESSED_NOTE = 'hubwarden: suppressed by ';

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
/** How a "back to NEW" note starts: such findings keep NEW and their reason (CONTRACT §5). */
export const RESTORED_NOTE = 'hubwarden: back to NEW.';

/** Marks a note written while the ticket could not be made: it is rewritten once the ticket exists. */
export const TICKET_FAILED_MARK = ' Ticket failed:';

export const notes = {
  notified: (at: NoteRefs, owner: OwnerResolution, ticketProblem?: string) =>
    clampNote(
      `hubwarden: tracked.${refs(at)}${ticketProblem ? `${TICKET_FAILED_MARK} ${ticketProblem}` : ''} Owner ${owner.owner.name} (${owner.detail}).`,
    ),
  fixed: (at: NoteRefs, by: string, when: string) =>
    clampNote(`hubwarden: fixed.${refs(at)} Image tags set to IMMUTABLE and verified by ${by} at ${when}.`),
  suppressed: (at: NoteRefs, by: string, until: string, justification: string) =>
    clampNote(`${SUPPRESSED_NOTE}${by} until ${until}.${refs(at)} Justification: ${justification}`),
  restored: (at: NoteRefs, why: string) => clampNote(`${RESTORED_NOTE}${refs(at)} Why: ${why}.`),
};

/** Only the references part of a note counts: free text after it (a justification) could imitate one. */
const referencesOf = (note: string | undefined): string =>
  note?.split(/ (?:Owner|Image tags|Justification:|Why:|Ticket failed:)/)[0] ?? '';

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
