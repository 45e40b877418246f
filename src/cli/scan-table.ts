import type { Risk, RiskKind } from '../core/model.js';
import type { ScanFailure, ScanRow } from './scan-command.js';

const HEADERS = ['REPOSITORY', 'ACCOUNT', 'REGION', 'OWNER', 'CHOSEN BY', 'TICKET', 'RISKS'] as const;
/** Columns that give up width, widest first, when the table is wider than the terminal; others never do. */
const SHRINKABLE: readonly number[] = [6, 4, 0, 3];
const MIN_WIDTH = 8;
const LAST_RESORT_WIDTH = 3;
const GAP = '  ';

const RISK_LABELS: Record<RiskKind, string> = {
  'floating-tags': 'floating tags',
  'untagged-images': 'untagged images',
  'signature-tags': 'signature tags',
};

const riskCell = (risk: Risk): string =>
  risk.kind === 'floating-tags' && risk.examples.length > 0
    ? `floating: ${risk.examples.join(', ')}`
    : `${risk.count} ${RISK_LABELS[risk.kind]}`;

const cellsOf = (row: ScanRow): string[] => [
  row.name,
  row.accountId,
  row.region,
  row.owner,
  row.ownerDetail,
  row.ticket ?? '-',
  row.error ? 'unknown (see below)' : row.risks.map(riskCell).join('; ') || 'none',
];

/** Cuts a cell to `width` with an ellipsis, at a word boundary when one is near, so no cut is silent. */
export const truncate = (text: string, width: number): string => {
  if (text.length <= width) return text;
  if (width <= 1) return '…'.slice(0, width);
  const cut = text.slice(0, width - 1);
  const space = cut.lastIndexOf(' ');
  return `${space >= width / 2 ? cut.slice(0, space).replace(/[,;:]$/, '') : cut}…`;
};

/**
 * Column widths that fit `maxWidth`: the shrinkable columns give up width first, the widest first, down to
 * MIN_WIDTH; on a very narrow terminal every column then does, down to LAST_RESORT_WIDTH.
 */
const fitWidths = (natural: readonly number[], maxWidth: number): number[] => {
  const widths = [...natural];
  const total = () => widths.reduce((sum, width) => sum + width, 0) + GAP.length * (widths.length - 1);
  const shrink = (columns: readonly number[], floor: number): void => {
    while (total() > maxWidth) {
      const widest = columns
        .filter((column) => widths[column]! > floor)
        .sort((a, b) => widths[b]! - widths[a]!)[0];
      if (widest === undefined) return;
      widths[widest] = widths[widest]! - 1;
    }
  };
  shrink(SHRINKABLE, MIN_WIDTH);
  shrink(
    widths.map((_, column) => column),
    LAST_RESORT_WIDTH,
  );
  return widths;
};

const countBy = (values: readonly string[]): string =>
  [
    ...values.reduce(
      (counts, value) => counts.set(value, (counts.get(value) ?? 0) + 1),
      new Map<string, number>(),
    ),
  ]
    .sort(([a, countA], [b, countB]) => countB - countA || a.localeCompare(b))
    .map(([value, count]) => `${value} ${count}`)
    .join(', ');

/**
 * One line (wrapped between words when wider than the terminal): how many repositories, by account and region,
 * by owner, and how many carry each pre-fix risk.
 */
export const scanSummary = (rows: readonly ScanRow[], maxWidth = Infinity): string => {
  const withRisk = (kind: RiskKind) =>
    rows.filter((row) => row.risks.some((risk) => risk.kind === kind)).length;
  const parts = [
    `${rows.length} ${rows.length === 1 ? 'repository' : 'repositories'}`,
    `by account/region: ${countBy(rows.map((row) => `${row.accountId}/${row.region}`))}`,
    `by owner: ${countBy(rows.map((row) => row.owner))}`,
    `risks: ${(Object.keys(RISK_LABELS) as RiskKind[]).map((kind) => `${RISK_LABELS[kind]} ${withRisk(kind)}`).join(', ')}`,
  ];
  const unread = rows.filter((row) => row.error).length;
  if (unread > 0) parts.push(`risks unknown for ${unread}`);
  return wrap(parts.join('; '), maxWidth);
};

/** Greedy word wrap; continuation lines are indented by two spaces. A word is never cut. */
const wrap = (text: string, maxWidth: number): string => {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last]!.length + 1 + word.length <= maxWidth) lines[last] += ` ${word}`;
    else lines.push(lines.length === 0 ? word : `  ${word}`);
  }
  return lines.join('\n');
};

/** `payments/api: jira jira.invalid: <reason> (2 attempts since <when>; next try <when>)` */
const failureLine = (row: ScanRow, failure: ScanFailure): string =>
  `${row.name}: ${failure.provider} ${failure.code}: ${failure.reason} (${failure.attempts} attempt${failure.attempts === 1 ? '' : 's'} since ${failure.since}; next try ${failure.retryAt})`;

/**
 * `hubwarden scan` for people: a table whose columns fit `maxWidth` (the terminal's width; cut cells end
 * with "…", `--json` has everything), errors under it, then the summary line.
 */
export const formatScanTable = (rows: readonly ScanRow[], maxWidth = Infinity): string => {
  if (rows.length === 0) return 'no repository has an active failed ECR.2 finding\n';
  const table = [[...HEADERS], ...rows.map(cellsOf)];
  const natural = HEADERS.map((_, column) => Math.max(...table.map((cells) => cells[column]!.length)));
  const widths = fitWidths(natural, maxWidth);
  const lines = table.map((cells) =>
    cells
      .map((cell, column) => truncate(cell, widths[column]!).padEnd(widths[column]!))
      .join(GAP)
      .trimEnd(),
  );
  const errors = rows
    .filter((row) => row.error)
    .map((row) => truncate(`${row.name}: ${row.error}`, maxWidth));
  const failing = rows.flatMap((row) =>
    row.failures.map((failure) => truncate(failureLine(row, failure), maxWidth)),
  );
  return `${[
    ...lines,
    ...(errors.length > 0 ? ['', 'could not read:', ...errors] : []),
    ...(failing.length > 0
      ? ['', "hubwarden's work failing (retried with backoff; `sync --once` retries now):", ...failing]
      : []),
    '',
    scanSummary(rows, maxWidth),
  ].join('\n')}\n`;
};
