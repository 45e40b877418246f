import { describe, expect, it } from 'vitest';
import type { ScanRow } from '../../src/cli/scan-command.js';
import { formatScanTable, scanSummary, truncate } from '../../src/cli/scan-table.js';

const row = (overrides: Partial<ScanRow> & Pick<ScanRow, 'name'>): ScanRow => ({
  repository: `arn:aws:ecr:eu-west-1:111111111111:repository/${overrides.name}`,
  accountId: '111111111111',
  region: 'eu-west-1',
  findings: 1,
  owner: 'payments',
  ownerRule: 'tag',
  ownerDetail: 'tag Owner=payments',
  ticket: 'SEC-1',
  risks: [],
  error: undefined,
  failures: [],
  ...overrides,
});

const floating = { kind: 'floating-tags', summary: '', examples: ['latest', 'main'], count: 2 } as const;
const untagged = { kind: 'untagged-images', summary: '', examples: [], count: 3 } as const;

const ROWS: ScanRow[] = [
  row({ name: 'payments/api-gateway-with-a-rather-long-name', risks: [floating, untagged] }),
  row({
    name: 'search/indexer',
    accountId: '222222222222',
    region: 'us-east-1',
    owner: 'default',
    ownerRule: 'default',
    ownerDetail: 'defaultOwner (no owner tag, account not mapped)',
    ticket: undefined,
  }),
  row({ name: 'payments/ledger', risks: [floating] }),
  row({
    name: 'broken',
    error: 'ecr DescribeImages in 111111111111/eu-west-1 failed: AccessDeniedException',
  }),
];

describe('scan output for people', () => {
  it('prints one table row per repository with every column, then the summary line', () => {
    const lines = formatScanTable(ROWS).trimEnd().split('\n');
    expect(lines[0]).toMatch(/^REPOSITORY +ACCOUNT +REGION +OWNER +CHOSEN BY +TICKET +RISKS$/);
    expect(lines[1]).toMatch(
      /^payments\/api-gateway-with-a-rather-long-name +111111111111 +eu-west-1 +payments +tag Owner=payments +SEC-1 +floating: latest, main; 3 untagged images$/,
    );
    expect(lines[2]).toMatch(
      /^search\/indexer +222222222222 +us-east-1 +default +defaultOwner \(no owner tag, account not mapped\) +- +none$/,
    );
    expect(lines).toContain('could not read:');
    expect(lines.at(-1)).toBe(
      '4 repositories; by account/region: 111111111111/eu-west-1 3, 222222222222/us-east-1 1; by owner: payments 3, default 1; risks: floating tags 2, untagged images 1, signature tags 0; risks unknown for 1',
    );
  });

  it('fits the terminal: no line is wider, and every cut cell ends with an ellipsis', () => {
    for (const width of [80, 100, 60]) {
      const text = formatScanTable(ROWS, width);
      for (const line of text.split('\n'))
        expect(line.length, `${width}: ${line}`).toBeLessThanOrEqual(width);
      expect(text).toContain('…');
      expect(text).toContain('111111111111');
      expect(text).toContain('SEC-1');
    }
    expect(formatScanTable(ROWS)).not.toContain('…');
  });

  it('cuts at a word where it can, and never without an ellipsis', () => {
    expect(truncate('floating: latest, main; 3 untagged images', 20)).toBe('floating: latest…');
    expect(truncate('abcdefghijklmnop', 8)).toBe('abcdefg…');
    expect(truncate('short', 8)).toBe('short');
  });

  it('counts by account and region, by owner, and each risk', () => {
    expect(scanSummary([row({ name: 'a', risks: [floating] })])).toBe(
      '1 repository; by account/region: 111111111111/eu-west-1 1; by owner: payments 1; risks: floating tags 1, untagged images 0, signature tags 0',
    );
    expect(
      scanSummary(ROWS, 80)
        .split('\n')
        .every((line) => line.length <= 80),
    ).toBe(true);
  });

  it('says so when nothing fails', () => {
    expect(formatScanTable([])).toBe('no repository has an active failed ECR.2 finding\n');
  });

  it('lists, under the table, what the work on a repository is failing at', () => {
    const failing = row({
      name: 'payments/api',
      failures: [
        {
          provider: 'jira',
          code: 'jira.invalid',
          reason: 'customfield_10010: Team is required.',
          attempts: 2,
          since: '2026-12-04T10:00:00.000Z',
          retryAt: '2026-12-04T10:10:00.000Z',
        },
      ],
    });
    const text = formatScanTable([failing]);
    expect(text).toContain("hubwarden's work failing");
    expect(text).toContain(
      'payments/api: jira jira.invalid: customfield_10010: Team is required. (2 attempts since 2026-12-04T10:00:00.000Z; next try 2026-12-04T10:10:00.000Z)',
    );
  });
});
