import type { Suppression, SuppressionStatus } from '../core/suppression.js';

export type ReportFormat = 'table' | 'json' | 'csv';
export type StatusFilter = SuppressionStatus | 'all';

const COLUMNS = [
  'id',
  'status',
  'repository',
  'account',
  'region',
  'owner',
  'ticket',
  'requestedBy',
  'requestedAt',
  'expiresAt',
  'reviewedBy',
  'reviewedAt',
  'endedAt',
  'endReason',
  'justification',
  'restoredAt',
] as const;

type Row = Record<(typeof COLUMNS)[number], string>;

const toRow = (suppression: Suppression): Row => ({
  id: suppression.id,
  status: suppression.status,
  repository: suppression.repository.arn,
  account: suppression.repository.accountId,
  region: suppression.repository.region,
  owner: suppression.ownerName,
  ticket: suppression.ticketKey ?? '',
  requestedBy: suppression.requestedBy,
  requestedAt: suppression.requestedAt,
  expiresAt: suppression.expiresAt,
  reviewedBy: suppression.reviewedBy ?? '',
  reviewedAt: suppression.reviewedAt ?? '',
  endedAt: suppression.endedAt ?? '',
  endReason: suppression.endReason ?? '',
  justification: suppression.justification,
  // set when the record was rebuilt from its Security Hub note after Redis lost it
  restoredAt: suppression.restoredAt ?? '',
});

export const filterSuppressions = (
  suppressions: readonly Suppression[],
  status: StatusFilter,
): Suppression[] =>
  suppressions
    .filter((suppression) => status === 'all' || suppression.status === status)
    .sort((a, b) => b.requestedAt.localeCompare(a.requestedAt));

/** A CSV cell that a spreadsheet will not run as a formula (OWASP CSV injection). */
const csvCell = (value: string): string => {
  const inert = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(inert) ? `"${inert.replaceAll('"', '""')}"` : inert;
};

// eslint-disable-next-line no-control-regex -- a table cell must not carry control characters
const printable = (value: string): string => value.replace(/[\u0000-\u001f\u007f]/g, ' ');

export const formatSuppressions = (suppressions: readonly Suppression[], format: ReportFormat): string => {
  const rows = suppressions.map(toRow);
  if (format === 'json') return `${JSON.stringify(rows, null, 2)}\n`;
  if (format === 'csv') {
    return [COLUMNS.join(','), ...rows.map((row) => COLUMNS.map((column) => csvCell(row[column])).join(','))]
      .map((line) => `${line}\r\n`)
      .join('');
  }
  if (rows.length === 0) return 'no suppressions\n';
  const shown = [
    'status',
    'repository',
    'owner',
    'requestedBy',
    'expiresAt',
    'reviewedBy',
    'justification',
  ] as const;
  const cells = rows.map((row) => shown.map((column) => printable(row[column]).slice(0, 60)));
  const widths = shown.map((column, index) =>
    Math.max(column.length, ...cells.map((line) => line[index]?.length ?? 0)),
  );
  const line = (values: readonly string[]) =>
    values.map((value, index) => value.padEnd(widths[index] ?? 0)).join('  ');
  return `${[line(shown), ...cells.map(line)].join('\n')}\n`;
};
