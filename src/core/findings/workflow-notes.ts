import type { Finding, OwnerResolution } from '../model.js';

const NOTE_LIMIT = 512;
const TICKET_IN_NOTE = /\bJira ([A-Z][A-Z0-9_]+-\d+)\b/;

/** Security Hub keeps at most 512 characters of note text. */
export const clampNote = (note: string): string =>
  note.length <= NOTE_LIMIT ? note : `${note.slice(0, NOTE_LIMIT - 1)}…`;

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
      `hubwarden: suppressed by ${by} until ${until}.${ticketKey ? ` Jira ${ticketKey}.` : ''} Justification: ${justification}`,
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
