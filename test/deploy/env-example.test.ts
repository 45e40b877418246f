import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEnvironment, SETTING_NAMES } from '../../src/config/environment.js';
import { sourceEnvFile } from '../support/source-env-file.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const example = readFileSync(join(root, '.env.example'), 'utf8');
const scratch = mkdtempSync(join(tmpdir(), 'hw-env-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const sourced = (text: string) => {
  const path = join(scratch, `env-${Math.random().toString(36).slice(2)}`);
  writeFileSync(path, text);
  return sourceEnvFile(path, scratch);
};

describe('.env.example loads as the README says (set -a; . ./.env; set +a)', () => {
  it('sources in bash without running a value as a command, and keeps values with spaces whole', () => {
    const run = sourced(example);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.env['JIRA_REOPEN_TRANSITION']).toBe('To Do');
    expect(run.env['JIRA_API_TOKEN']).toBe('<jira-api-token>');
    expect(run.env['QUEUE_PREFIX']).toBe('{hubwarden}');
    expect(parseEnvironment(run.env)).toMatchObject({ ok: true });
  });

  it('still sources when every commented-out setting is switched on', () => {
    const run = sourced(example.replace(/^# ?([A-Z][A-Z0-9_]*=)/gm, '$1'));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.env['JIRA_PAT']).toBe('<jira-personal-access-token>');
  });

  it('quotes every value, so a filled-in value with a space or <, > stays one value', () => {
    const assignments = [...example.matchAll(/^#? ?([A-Z][A-Z0-9_]*)=(.*)$/gm)];
    expect(assignments.length).toBeGreaterThan(30);
    for (const [, name, value] of assignments) expect(value, name).toMatch(/^(|'[^']*')$/);
  });

  it('lists every setting hubwarden reads', () => {
    const listed = new Set([...example.matchAll(/^#? ?([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]));
    for (const name of SETTING_NAMES) expect(listed.has(name), name).toBe(true);
  });
});
