import { describe, expect, it } from 'vitest';
import {
  findingsFingerprint,
  groupByRepository,
  isFailing,
} from '../../src/core/findings/repository-findings.js';
import {
  clampNote,
  messageRefFromNotes,
  notes,
  ticketKeyFromNotes,
} from '../../src/core/findings/workflow-notes.js';
import type { OwnerResolution } from '../../src/core/model.js';
import { findingOf, suppressionOf } from '../support/fake-ports.js';
import { owner } from './pipeline-harness.js';

/** a high surrogate not followed by a low one, or a low one not preceded by a high one */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const A = { accountId: '111111111111', region: 'eu-west-1', repositoryName: 'alpha' } as const;
const resolution: OwnerResolution = { owner: owner('payments'), rule: 'tag', detail: 'tag Owner=payments' };

describe('repository findings', () => {
  it('groups findings of one repository across standards', () => {
    const groups = groupByRepository([
      findingOf({ ...A, uuid: '1' }),
      findingOf({ ...A, uuid: '2', standard: 'pci-dss' }),
      findingOf({ ...A, repositoryName: 'beta', uuid: '3' }),
    ]);
    expect([...groups.values()].map((group) => [group.repository.name, group.findings.length])).toEqual([
      ['alpha', 2],
      ['beta', 1],
    ]);
  });

  it('fails while any finding is an active failure', () => {
    expect(isFailing([findingOf({ ...A, compliance: 'PASSED' }), findingOf({ ...A, uuid: '2' })])).toBe(true);
    expect(
      isFailing([
        findingOf({ ...A, recordState: 'ARCHIVED' }),
        findingOf({ ...A, uuid: '2', compliance: 'PASSED' }),
      ]),
    ).toBe(false);
    expect(isFailing([findingOf({ ...A, compliance: 'WARNING' })])).toBe(false);
    expect(isFailing([])).toBe(false);
  });

  it('fingerprints what drives decisions, whatever the order, and nothing else', () => {
    const one = findingOf({ ...A, uuid: '1' });
    const two = findingOf({ ...A, uuid: '2' });
    expect(findingsFingerprint([one, two])).toBe(findingsFingerprint([two, one]));
    expect(findingsFingerprint([{ ...one, updatedAt: '2030-01-01T00:00:00.000Z', title: 'x' }, two])).toBe(
      findingsFingerprint([one, two]),
    );
    expect(findingsFingerprint([{ ...one, workflow: 'NOTIFIED' }, two])).not.toBe(
      findingsFingerprint([one, two]),
    );
    expect(findingsFingerprint([{ ...one, compliance: 'PASSED' }, two])).not.toBe(
      findingsFingerprint([one, two]),
    );
    expect(findingsFingerprint([one])).not.toBe(findingsFingerprint([one, two]));
  });
});

describe('workflow notes', () => {
  const message = { channel: 'C0PAYMENTS', ts: '1700000000.000100' };
  const repository = findingOf(A).repository;

  it('name the ticket, the message and the owner, and find both references again', () => {
    const note = notes.notified({ ticketKey: 'SEC-12', message }, resolution);
    expect(note).toBe(
      'hubwarden: tracked. Jira SEC-12. Slack C0PAYMENTS/1700000000.000100. Owner payments (tag Owner=payments).',
    );
    const finding = { ...findingOf(A), hubwardenNote: note };
    expect(ticketKeyFromNotes([findingOf(A), finding])).toBe('SEC-12');
    expect(messageRefFromNotes([findingOf(A), finding])).toEqual(message);
    const restored = notes.restored({ ticketKey: 'OPS_2-7', message: undefined }, 'the suppression ended');
    expect(ticketKeyFromNotes([{ ...finding, hubwardenNote: restored }])).toBe('OPS_2-7');
    expect(ticketKeyFromNotes([findingOf(A)])).toBeUndefined();
    expect(messageRefFromNotes([findingOf(A)])).toBeUndefined();
  });

  it('put the real references before any user text, so a justification cannot steer them', () => {
    const note = notes.suppressed(
      { ticketKey: 'SEC-1', message },
      suppressionOf(repository, { justification: 'see Jira EVIL-99 instead' }),
    );
    expect(ticketKeyFromNotes([{ ...findingOf(A), hubwardenNote: note }])).toBe('SEC-1');
    const forged = notes.suppressed(
      { ticketKey: undefined, message: undefined },
      suppressionOf(repository, { justification: 'imitating Jira EVIL-99. Slack C0OTHER/1.2.' }),
    );
    expect(ticketKeyFromNotes([{ ...findingOf(A), hubwardenNote: forged }])).toBeUndefined();
    expect(messageRefFromNotes([{ ...findingOf(A), hubwardenNote: forged }])).toBeUndefined();
  });

  it('clamp to 512 characters with an ellipsis', () => {
    expect(clampNote('short')).toBe('short');
    expect(clampNote('x'.repeat(512))).toBe('x'.repeat(512));
    const clamped = clampNote('x'.repeat(600));
    expect(clamped).toHaveLength(512);
    expect(clamped.endsWith('…')).toBe(true);
    const long = notes.suppressed(
      { ticketKey: 'SEC-1', message },
      suppressionOf(repository, { justification: 'j'.repeat(1000) }),
    );
    expect(long.length).toBe(512);
    expect(long).toContain('Jira SEC-1.');
  });

  // BUG (src/core/findings/workflow-notes.ts:8): `note.slice(0, 511)` can cut a surrogate pair in
  // half (an emoji in a justification), leaving a lone surrogate before the ellipsis; the adapter's
  // `truncateNote` handles this but never runs because the clamped note is already 512 long.
  // Fix: back off one code unit when the last kept one is a high surrogate (as `truncateNote` does).
  it('never splits a surrogate pair', () => {
    const clamped = clampNote(`${'x'.repeat(510)}😀 and more`);
    expect(clamped.length).toBeLessThanOrEqual(512);
    expect(clamped).not.toMatch(LONE_SURROGATE);
  });
});
