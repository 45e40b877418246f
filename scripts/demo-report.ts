import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RepositoryRecord } from '../src/core/ports/state-store.js';
import type { Suppression } from '../src/core/suppression.js';

/**
 * Writes the demo's settings where `node --env-file` (and a shell's `set -a; . FILE`) can read them, so
 * the commands the demo prints run against its own stand-ins, Redis and prefix. Values are single-quoted;
 * the demo deletes the file when it stops.
 */
export const writeDemoEnv = async (
  file: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<void> => {
  const lines = Object.entries(env)
    .filter(
      (entry): entry is [string, string] => entry[1] !== undefined && /^[A-Z][A-Z0-9_]*$/.test(entry[0]),
    )
    .map(([name, value]) => `${name}='${value.replaceAll("'", "'\\''")}'`);
  await writeFile(file, `${lines.join('\n')}\n`, { mode: 0o600 });
};

/** Where this demo process keeps its settings file. */
export const demoEnvFile = (): string => join(tmpdir(), `hubwarden-demo-${process.pid}.env`);

const stateOf = (record: RepositoryRecord, suppressions: readonly Suppression[]): string => {
  const suppression = suppressions.find((candidate) => candidate.id === record.suppressionId);
  if (record.fix?.status === 'succeeded') return 'fixed';
  if (record.fix?.status === 'failed') return `fix failed: ${record.fix.reason ?? 'unknown'}`;
  if (suppression) return `suppressed, ${suppression.status}`;
  if (!record.ticket) return 'passing';
  if (record.ticket.status === 'done') return 'passed';
  return 'failing';
};

/** The demo's closing table: one row per repository hubwarden knows. */
export const demoTable = (
  records: readonly (RepositoryRecord | undefined)[],
  suppressions: readonly Suppression[],
): { header: string[]; rows: string[][] } => ({
  header: ['repository', 'account', 'region', 'owner (rule)', 'ticket', 'message', 'state'],
  rows: records
    .filter((record): record is RepositoryRecord => record !== undefined)
    .map((record) => [
      record.repository.name,
      record.repository.accountId,
      record.repository.region,
      !record.owner
        ? '-'
        : record.owner.name === record.owner.rule
          ? record.owner.name
          : `${record.owner.name} (${record.owner.rule})`,
      record.ticket ? `${record.ticket.key} ${record.ticket.status}` : '-',
      record.message ? record.message.channel : '-',
      stateOf(record, suppressions),
    ]),
});
