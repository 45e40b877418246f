import type { Finding, OwnerResolution } from '../model.js';

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

export const notes = {
  notified: (ticketKey: string, owner: OwnerResolution) =>
    clampNote(
      `hubwarden: Jira ${ticketKey} tracks this repository; owner ${owner.owner.name} (${owner.detail}).`,
    ),
  fixed: (ticketKey: string | undefined, by: string, at: string) =>
    clampNote(
      `hubwarden: fixed by ${by} at ${at}: image tags set to IMMUTABLE and verified.${ticketKey ? ` Jira ${ticketKey}.` : ''}`,
    ),
  suppressed: (ticketKey: string | undefined, by: string, until: string, justification: string) =>
    clampNote(
      `${SUPPRESSED_NOTE}${by} until ${until}.${ticketKey ? ` Jira ${ticketKey}.` : ''} Justification: ${justification}`,
    ),
  restored: (ticketKey: string | undefined, why: string) =>
    clampNote(`hubwarden: back to NEW: ${why}.${ticketKey ? ` Jira ${ticketKey}.` : ''}`),
};

/** The ticket key hubwarden last wrote into any of these findings' notes. */
export const ticketKeyFromNotes = (findings: readonly Finding[]): string | undefined => {
  for (const finding of findings) {
    const match = finding.hubwardenNote ? TICKET_IN_NOTE.exec(finding.hubwardenNote) : null;
    if (match?.[1]) return match[1];
  }
  return undefined;
};
