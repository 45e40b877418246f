/** Tables the benchmark prints: figure, value, target, met. */
import { SERVICES, type ServiceName } from './bench-bounds.js';
import type { ScenarioResult } from './bench-run.js';
import type { ReadResult } from './bench-read.js';
import type { SyncResult } from './bench-sync.js';

const MB = 1024 * 1024;
const CALL_TARGET = 1.05;
const DRAIN_TARGET = 1.2;
const ACK_P99_TARGET_MS = 250;

const percentile = (values: readonly number[], p: number): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};

const met = (ok: boolean | undefined): string => (ok === undefined ? 'n/a' : ok ? 'met' : 'NOT met');

const table = (rows: readonly (readonly string[])[]): string => {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  const line = (row: readonly string[]) =>
    `| ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  const [head, ...body] = rows;
  return [
    line(head ?? []),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...body.map(line),
  ].join('\n');
};

const ratio = (calls: number, minimum: number): number => (minimum === 0 ? Number.NaN : calls / minimum);
const fixed = (value: number, digits = 2): string => (Number.isFinite(value) ? value.toFixed(digits) : '—');
const entries = (record: Readonly<Record<string, number>>): string =>
  Object.entries(record)
    .map(([key, count]) => `${key} ${count}`)
    .join(', ') || 'none';

/** An idle poll meets its target when it made one GetFindings call and nothing else. */
export const idleMet = (idle: Readonly<Record<string, number>> | undefined): boolean | undefined =>
  idle === undefined ? undefined : Object.keys(idle).length === 1 && idle['securityhub.GetFindings'] === 1;

export const drainRatio = (result: ScenarioResult): number =>
  result.options.limits && result.bounds.lowerBoundSeconds > 0
    ? result.drainSeconds / result.bounds.lowerBoundSeconds
    : Number.NaN;

export const summaryTable = (result: ScenarioResult, targets: { rssTargetMb: number }): string => {
  const { bounds } = result;
  const rows: string[][] = [['figure', 'value', 'target', 'status']];
  const drain = drainRatio(result);
  rows.push([
    'drain time',
    result.drained
      ? `${fixed(result.drainSeconds, 1)} s (tickets ${fixed(result.ticketsSeconds, 1)} s, messages ${fixed(result.messagesSeconds, 1)} s)`
      : 'did not drain',
    '',
    result.drained ? '' : 'NOT met',
  ]);
  if (result.options.limits) {
    rows.push([
      'lower bound',
      `${fixed(bounds.lowerBoundSeconds, 1)} s (bottleneck ${bounds.bottleneck}; ${Object.entries(
        bounds.seconds,
      )
        .map(([name, seconds]) => `${name} ${fixed(seconds, 1)}`)
        .join(', ')})`,
      '',
      '',
    ]);
    rows.push([
      'drain ratio',
      fixed(drain),
      `≤ ${DRAIN_TARGET}`,
      met(Number.isFinite(drain) ? drain <= DRAIN_TARGET : false),
    ]);
  }
  for (const service of SERVICES) {
    const value = ratio(result.calls[service], bounds.minCalls[service]);
    rows.push([
      `call ratio ${service}`,
      `${fixed(value)} (${result.calls[service]} / ${bounds.minCalls[service]})`,
      `≤ ${CALL_TARGET}`,
      met(value <= CALL_TARGET),
    ]);
  }
  const byFindings = ratio(result.calls['securityhub.BatchUpdateFindings'], bounds.batchUpdateByFindings);
  rows.push([
    'BatchUpdateFindings vs ceil(findings/100)',
    `${fixed(byFindings)} (${result.calls['securityhub.BatchUpdateFindings']} / ${bounds.batchUpdateByFindings})`,
    `≤ ${CALL_TARGET} (naive formula)`,
    `${met(byFindings <= CALL_TARGET)} (see note: each note names its repository's ticket, so one per repository)`,
  ]);
  const throttledTotal = Object.values(result.throttled).reduce((sum, count) => sum + count, 0);
  rows.push(['429s received', `${throttledTotal} (${entries(result.throttled)})`, 'handled', '']);
  rows.push([
    '429s left unhandled',
    `${result.failedJobs} failed jobs, ${result.missing} repositories without ticket+message`,
    '0',
    met(result.failedJobs === 0 && result.missing === 0 && result.drained),
  ]);
  rows.push([
    'duplicates (one ticket, one message per repository)',
    `${result.duplicateTickets} extra tickets, ${result.duplicateMessages} extra messages`,
    '0',
    met(result.duplicateTickets === 0 && result.duplicateMessages === 0),
  ]);
  if (result.idleCalls) {
    rows.push([
      'idle poll calls',
      entries(result.idleCalls),
      '1 GetFindings only',
      met(idleMet(result.idleCalls)),
    ]);
  }
  rows.push([
    'peak RSS of the service',
    `${fixed(result.peakRssBytes / MB, 0)} MB`,
    `≤ ${targets.rssTargetMb} MB`,
    met(result.peakRssBytes / MB <= targets.rssTargetMb),
  ]);
  if (result.ackMs.length > 0) {
    const p50 = percentile(result.ackMs, 50);
    const p99 = percentile(result.ackMs, 99);
    const ok = result.ackStatuses.every((status) => status === 200);
    rows.push([
      `Slack ack latency (${result.ackMs.length} concurrent Fix clicks)`,
      `p50 ${fixed(p50, 0)} ms, p99 ${fixed(p99, 0)} ms${ok ? '' : ` (non-200: ${result.ackStatuses.filter((s) => s !== 200).join(',')})`}`,
      `p99 ≤ ${ACK_P99_TARGET_MS} ms`,
      met(ok && p99 <= ACK_P99_TARGET_MS),
    ]);
  }
  return [
    '',
    `${result.failing} failing repositories, ${result.findings} findings, ${result.options.accounts} accounts × ${result.options.regions} regions, ${result.options.channels} owner channels, limits ${result.options.limits ? 'on' : 'off'}`,
    table(rows),
    '',
    `calls by operation during the drain: ${entries(result.operations)}`,
    `calls after the drain until quiet (60 s at most): ${entries(result.afterDrainCalls)}`,
    `service log: ${result.logFile}`,
  ].join('\n');
};

export const growthTable = (results: readonly ScenarioResult[]): string => {
  const perRepository = (result: ScenarioResult, service: ServiceName) =>
    fixed(result.calls[service] / Math.max(1, result.failing));
  const rows: string[][] = [
    [
      'repositories',
      'drain s',
      'bound s',
      'drain ratio',
      's / 100 repos',
      ...SERVICES.map((service) => `${service} /repo (ratio)`),
      'idle calls',
      'dup tickets',
      '429s',
      'peak RSS MB',
    ],
  ];
  for (const result of results) {
    rows.push([
      String(result.failing),
      fixed(result.drainSeconds, 1),
      fixed(result.bounds.lowerBoundSeconds, 1),
      fixed(drainRatio(result)),
      fixed((100 * result.drainSeconds) / Math.max(1, result.failing)),
      ...SERVICES.map(
        (service) =>
          `${perRepository(result, service)} (${fixed(ratio(result.calls[service], result.bounds.minCalls[service]))})`,
      ),
      result.idleCalls ? String(Object.values(result.idleCalls).reduce((sum, count) => sum + count, 0)) : '—',
      String(result.duplicateTickets),
      String(Object.values(result.throttled).reduce((sum, count) => sum + count, 0)),
      fixed(result.peakRssBytes / MB, 0),
    ]);
  }
  return ['', 'growth', table(rows)].join('\n');
};

/** `hubwarden sync --once` as a user starts it: the peak RSS of each process it ran in. */
export const syncTable = (result: SyncResult, targets: { rssTargetMb: number }): string => {
  const command = result.commandPeakRssBytes / MB;
  const rows: string[][] = [['figure', 'value', 'target', 'status']];
  rows.push([
    'sync --once',
    `exit ${result.exitCode} after ${fixed(result.seconds, 1)} s, ${result.failing} failing repositories, ${result.findings} findings`,
    'exit 0',
    met(result.exitCode === 0),
  ]);
  rows.push([
    'peak RSS, the process running the command (VmHWM)',
    `${fixed(command, 0)} MB`,
    `≤ ${targets.rssTargetMb} MB`,
    met(command <= targets.rssTargetMb),
  ]);
  rows.push([
    'peak RSS, the launcher (bin/hubwarden.js adding the heap flags)',
    result.processes > 1
      ? `${fixed(result.launcherPeakRssBytes / MB, 0)} MB`
      : 'none: flags already in effect',
    '',
    '',
  ]);
  return table(rows);
};

/** Peak RSS of the full read by number of findings; growth against the first row. */
export const readTable = (results: readonly ReadResult[]): string => {
  const first = results[0]?.peakRssBytes ?? Number.NaN;
  return table([
    ['repositories', 'findings', 'read done', 'seconds', 'peak RSS MB', 'growth'],
    ...results.map((result) => [
      String(result.options.repositories),
      String(result.findings),
      result.completed ? 'yes' : 'NO',
      fixed(result.seconds, 0),
      fixed(result.peakRssBytes / MB, 0),
      `${fixed(((result.peakRssBytes - first) / first) * 100, 1)} %`,
    ]),
  ]);
};
