import { describe, expect, it } from 'vitest';
import { filterSuppressions, formatSuppressions } from '../../src/app/suppression-report.js';
import type { Suppression } from '../../src/core/suppression.js';
import { findingOf, suppressionOf } from '../support/fake-ports.js';

const repository = findingOf({
  accountId: '111111111111',
  region: 'eu-west-1',
  repositoryName: 'team/api',
}).repository;

const suppression = (id: string, over: Partial<Suppression> = {}): Suppression =>
  suppressionOf(repository, { id, ...over });

/** A minimal RFC 4180 reader, to check what a spreadsheet would see. */
const readCsv = (csv: string): string[][] => {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let index = 0; index < csv.length; index += 1) {
    const char = csv[index];
    if (quoted) {
      if (char === '"' && csv[index + 1] === '"') {
        cell += '"';
        index += 1;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\r' && csv[index + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      index += 1;
    } else cell += char;
  }
  return rows;
};

describe('suppression report', () => {
  const all = [
    suppression('s1', { status: 'expired', requestedAt: '2025-01-01T00:00:00.000Z' }),
    suppression('s2', { status: 'active', requestedAt: '2025-01-03T00:00:00.000Z' }),
    suppression('s3', { status: 'pending', requestedAt: '2025-01-02T00:00:00.000Z' }),
    suppression('s4', {
      status: 'revoked',
      requestedAt: '2025-01-04T00:00:00.000Z',
      reviewedBy: 'U0SECLEAD',
      endReason: 'no longer needed',
    }),
  ];

  it('filters by status, newest request first', () => {
    expect(filterSuppressions(all, 'all').map((s) => s.id)).toEqual(['s4', 's2', 's3', 's1']);
    expect(filterSuppressions(all, 'active').map((s) => s.id)).toEqual(['s2']);
    expect(filterSuppressions(all, 'pending').map((s) => s.id)).toEqual(['s3']);
    expect(filterSuppressions(all, 'expired').map((s) => s.id)).toEqual(['s1']);
    expect(filterSuppressions(all, 'revoked').map((s) => s.id)).toEqual(['s4']);
    expect(all.map((s) => s.id)).toEqual(['s1', 's2', 's3', 's4']);
  });

  it('writes CSV with a header, CRLF lines and RFC 4180 quoting', () => {
    const csv = formatSuppressions([suppression('s1', { justification: 'says "hi", then\nleaves' })], 'csv');
    expect(csv.endsWith('\r\n')).toBe(true);
    const [header, row] = readCsv(csv);
    expect(header?.[0]).toBe('id');
    expect(header).toContain('justification');
    const cell = (name: string) => row?.[header?.indexOf(name) ?? -1];
    expect(cell('justification')).toBe('says "hi", then\nleaves');
    expect(cell('repository')).toBe(repository.arn);
    expect(cell('ticket')).toBe('SEC-1');
    expect(cell('reviewedBy')).toBe('');
    expect(cell('restoredAt')).toBe('');
  });

  it('says which records were rebuilt from their Security Hub note', () => {
    const rebuilt = suppression('s2', { restoredAt: '2025-03-01T00:00:00.000Z', justification: 'cut…' });
    const [header, row] = readCsv(formatSuppressions([rebuilt], 'csv'));
    expect(row?.[header?.indexOf('restoredAt') ?? -1]).toBe('2025-03-01T00:00:00.000Z');
    expect(JSON.parse(formatSuppressions([rebuilt], 'json'))).toEqual([
      expect.objectContaining({ id: 's2', restoredAt: '2025-03-01T00:00:00.000Z', justification: 'cut…' }),
    ]);
  });

  it.each(['=cmd|" /C calc"!A0', '+1+1', '-2+3', '@SUM(A1:A2)', '\t=1', '\r=1'])(
    'makes the formula-like cell %j inert',
    (justification) => {
      const csv = formatSuppressions([suppression('s1', { justification, endReason: justification })], 'csv');
      const [header, row] = readCsv(csv);
      const cell = row?.[header?.indexOf('justification') ?? -1];
      expect(cell).toBe(`'${justification}`);
      expect(row?.[header?.indexOf('endReason') ?? -1]).toBe(`'${justification}`);
      for (const value of row ?? []) expect(value).not.toMatch(/^[=+\-@\t\r]/);
    },
  );

  it('leaves ordinary cells alone', () => {
    const [header, row] = readCsv(
      formatSuppressions([suppression('s1', { justification: 'plain text' })], 'csv'),
    );
    expect(row?.[header?.indexOf('justification') ?? -1]).toBe('plain text');
  });

  it('writes JSON rows with every column', () => {
    const rows = JSON.parse(formatSuppressions([all[3]!], 'json')) as Record<string, string>[];
    expect(rows).toEqual([
      expect.objectContaining({
        id: 's4',
        status: 'revoked',
        reviewedBy: 'U0SECLEAD',
        endReason: 'no longer needed',
        account: '111111111111',
        region: 'eu-west-1',
        owner: 'payments',
      }),
    ]);
  });

  it('writes an aligned table without control characters, and says when there is nothing', () => {
    expect(formatSuppressions([], 'table')).toBe('no suppressions\n');
    const table = formatSuppressions(
      [suppression('s1', { justification: 'line one\nline two\u001b[31m red' }), all[1]!],
      'table',
    );
    const lines = table
      .trimEnd()
      .split('\n')
      .map((line) => line.trimEnd());
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^status\s+repository\s+owner\s+requestedBy\s+expiresAt\s+reviewedBy\s+justification$/,
    );
    expect(table).not.toContain('\u001b');
    expect(lines[1]).toContain('line one line two');
    const column = lines[0]?.indexOf('owner');
    expect(lines.slice(1).every((line) => line.indexOf('payments') === column)).toBe(true);
  });
});
