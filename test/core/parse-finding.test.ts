import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFinding } from '../../src/core/findings/parse-finding.js';
import { repositoryKeyOf } from '../../src/core/repository-ref.js';
import {
  ecr2Finding,
  otherControlFinding,
  repositoryArn,
  STANDARDS,
  type Asff,
} from '../fixtures/ecr2-findings.js';

const base = { accountId: '111111111111', region: 'eu-west-1', repositoryName: 'team/payments-api' };
const arn = repositoryArn(base.accountId, base.region, base.repositoryName);

const parsedOk = (raw: unknown) => {
  const parsed = parseFinding(raw, 'ECR.2');
  if (!parsed.ok) throw new Error(`expected ok, got ${parsed.reason}: ${parsed.detail}`);
  return parsed.finding;
};

const without = (raw: Asff, ...keys: string[]): Asff =>
  Object.fromEntries(Object.entries(raw).filter(([key]) => !keys.includes(key)));

describe('parseFinding: shapes Security Hub writes', () => {
  it('parses a consolidated control finding', () => {
    const raw = ecr2Finding({ ...base, tags: { Owner: 'payments' } });
    const finding = parsedOk(raw);
    expect(finding).toMatchObject({
      id: raw['Id'],
      productArn: raw['ProductArn'],
      controlId: 'ECR.2',
      compliance: 'FAILED',
      recordState: 'ACTIVE',
      workflow: 'NEW',
      severity: 'MEDIUM',
      updatedAt: '2025-01-06T08:00:00.000Z',
      firstObservedAt: '2024-03-04T09:15:27.412Z',
      standards: [STANDARDS.fsbp.standardsId, STANDARDS['nist-800-53'].standardsId],
      resourceTags: { Owner: 'payments' },
      hubwardenNote: undefined,
    });
    expect(finding.repository).toEqual({
      arn,
      partition: 'aws',
      region: 'eu-west-1',
      accountId: '111111111111',
      name: 'team/payments-api',
      key: repositoryKeyOf(arn),
    });
  });

  it('parses a per-standard finding by ProductFields.ControlId, and by GeneratorId alone', () => {
    const raw = ecr2Finding({ ...base, standard: 'pci-dss', compliance: 'PASSED', workflow: 'RESOLVED' });
    const perStandard = parsedOk({ ...raw, Compliance: { Status: 'PASSED' } });
    expect(perStandard).toMatchObject({ controlId: 'ECR.2', compliance: 'PASSED', workflow: 'RESOLVED' });
    expect(perStandard.standards).toEqual([`arn:aws:securityhub:::standards/${STANDARDS['pci-dss'].path}`]);

    const generatorOnly = parsedOk({
      ...raw,
      Compliance: { Status: 'FAILED' },
      ProductFields: {},
      GeneratorId: 'aws-foundational-security-best-practices/v/1.0.0/ECR.2',
    });
    expect(generatorOnly.controlId).toBe('ECR.2');
    expect(generatorOnly.standards).toEqual([]);
  });

  it("parses GovCloud per-standard findings (no SecurityControlId), Control Tower's CT.ECR.2 included", () => {
    const gov = { accountId: '111111111111', region: 'us-gov-west-1', partition: 'aws-us-gov' } as const;
    const input = { ...gov, repositoryName: 'team/payments-api', consolidatedControlsView: false } as const;
    const fsbp = ecr2Finding({ ...input, standard: 'fsbp' });
    const controlTower = ecr2Finding({ ...input, standard: 'control-tower' });
    expect((controlTower['ProductFields'] as Record<string, string>)['ControlId']).toBe('CT.ECR.2');
    expect(controlTower['Compliance']).not.toHaveProperty('SecurityControlId');
    const parsed = [fsbp, controlTower].map(parsedOk);
    expect(parsed.map((finding) => finding.controlId)).toEqual(['ECR.2', 'ECR.2']);
    expect(new Set(parsed.map((finding) => finding.repository.key)).size).toBe(1);
    expect(parsed[0]?.repository).toMatchObject({ partition: 'aws-us-gov', region: 'us-gov-west-1' });
    const ecr3 = otherControlFinding({ ...gov, standard: 'control-tower' });
    expect(parseFinding(without(ecr3, 'Compliance'), 'ECR.2')).toMatchObject({
      ok: false,
      reason: 'other-control',
    });
    expect(
      parseFinding({ ...controlTower, ProductFields: { ControlId: 'CT.ECR.21' } }, 'ECR.2'),
    ).toMatchObject({ ok: false, reason: 'other-control' });
  });

  it('normalises timestamps and defaults missing optional fields', () => {
    const raw = ecr2Finding(base);
    const finding = parsedOk({
      ...without(raw, 'Title', 'Severity', 'FirstObservedAt', 'Workflow', 'WorkflowState'),
      UpdatedAt: '2025-01-06T09:00:00+01:00',
      Compliance: { SecurityControlId: 'ECR.2' },
    });
    expect(finding).toMatchObject({
      updatedAt: '2025-01-06T08:00:00.000Z',
      firstObservedAt: undefined,
      title: 'ECR.2 team/payments-api',
      severity: 'MEDIUM',
      workflow: 'NEW',
      compliance: 'NOT_AVAILABLE',
      resourceTags: {},
    });
  });

  it('maps the legacy WorkflowState only when Workflow.Status is absent', () => {
    const raw = without(ecr2Finding(base), 'Workflow');
    const legacy = (state: string) => parsedOk({ ...raw, WorkflowState: state }).workflow;
    expect(legacy('NEW')).toBe('NEW');
    expect(legacy('ASSIGNED')).toBe('NOTIFIED');
    expect(legacy('IN_PROGRESS')).toBe('NOTIFIED');
    expect(legacy('DEFERRED')).toBe('SUPPRESSED');
    expect(legacy('RESOLVED')).toBe('RESOLVED');
    expect(legacy('SOMETHING_ELSE')).toBe('NEW');
    expect(parsedOk({ ...raw, Workflow: { Status: 'SUPPRESSED' }, WorkflowState: 'NEW' }).workflow).toBe(
      'SUPPRESSED',
    );
  });

  it('keeps the note only when hubwarden wrote it', () => {
    const raw = ecr2Finding(base);
    const ours = {
      Text: 'hubwarden: Jira SEC-12 tracks this repository',
      UpdatedBy: 'hubwarden',
      UpdatedAt: '2025-01-07T00:00:00Z',
    };
    expect(parsedOk({ ...raw, Note: ours }).hubwardenNote).toBe(ours.Text);
    expect(parsedOk({ ...raw, Note: { ...ours, UpdatedBy: 'alice' } }).hubwardenNote).toBeUndefined();
    expect(parsedOk({ ...raw, Note: { Text: ours.Text } }).hubwardenNote).toBeUndefined();
  });

  it('parses the other partitions', () => {
    const china = parsedOk(ecr2Finding({ ...base, region: 'cn-north-1', partition: 'aws-cn' }));
    expect(china.repository).toMatchObject({ partition: 'aws-cn', region: 'cn-north-1' });
    const gov = parsedOk(ecr2Finding({ ...base, region: 'us-gov-west-1', partition: 'aws-us-gov' }));
    expect(gov.repository).toMatchObject({ partition: 'aws-us-gov', region: 'us-gov-west-1' });
  });
});

describe('parseFinding: what it skips', () => {
  it('skips findings of other controls quietly', () => {
    const raw = otherControlFinding({ accountId: base.accountId, region: base.region });
    expect(parseFinding(raw, 'ECR.2')).toEqual({
      ok: false,
      reason: 'other-control',
      id: raw['Id'],
      detail: 'control ECR.3',
    });
    const unknown = parseFinding(
      { ...without(ecr2Finding(base), 'GeneratorId'), Compliance: {}, ProductFields: {} },
      'ECR.2',
    );
    expect(unknown).toMatchObject({ ok: false, reason: 'other-control', detail: 'control unknown' });
  });

  it('skips a finding without an ECR repository resource', () => {
    const raw = ecr2Finding(base);
    const noEcr = { ...raw, Resources: [{ Type: 'AwsAccount', Id: 'AWS::::Account:111111111111' }] };
    expect(parseFinding(noEcr, 'ECR.2')).toMatchObject({ ok: false, reason: 'no-repository', id: raw['Id'] });
    const resourceWith = (id: string) => ({ ...raw, Resources: [{ Type: 'AwsEcrRepository', Id: id }] });
    for (const id of [
      'arn:aws:ecr-public::111111111111:repository/public-thing',
      'arn:aws:ecr:eu-west-1:111111111111:repository/',
      'arn:aws:ecr:eu-west-1:11111111111:repository/short-account',
      'arn:aws:ecr:eu-west-1:111111111111:repository/UPPER',
      'arn:aws:ecr:eu-west-1:111111111111:image/x',
      'arn:aws:ecr:EU-WEST-1:111111111111:repository/x',
      'arn:azure:ecr:eu-west-1:111111111111:repository/x',
      'team/payments-api',
      '',
    ]) {
      expect(parseFinding(resourceWith(id), 'ECR.2'), id).toMatchObject({
        ok: false,
        reason: 'no-repository',
      });
    }
  });

  it('uses the AwsEcrRepository resource even when it is not the first', () => {
    const raw = ecr2Finding(base);
    const resources = [
      { Type: 'AwsAccount', Id: 'AWS::::Account:111111111111' },
      ...(raw['Resources'] as Asff[]),
    ];
    expect(parsedOk({ ...raw, Resources: resources }).repository.arn).toBe(arn);
  });

  it('reports malformed findings with their id and a detail naming the field', () => {
    const raw = ecr2Finding(base);
    const cases: [Asff, string][] = [
      [without(raw, 'UpdatedAt'), 'UpdatedAt'],
      [{ ...raw, UpdatedAt: 'yesterday' }, 'UpdatedAt'],
      [without(raw, 'ProductArn'), 'ProductArn'],
      [{ ...raw, RecordState: 'DELETED' }, 'RecordState'],
      [{ ...raw, Resources: [] }, 'Resources'],
      [{ ...raw, Compliance: { Status: 'BROKEN' } }, 'Compliance.Status'],
      [{ ...raw, Workflow: { Status: 'DONE' } }, 'Workflow.Status'],
      [{ ...raw, ProductFields: { ControlId: 2 } }, 'ProductFields.ControlId'],
    ];
    for (const [malformed, field] of cases) {
      const parsed = parseFinding(malformed, 'ECR.2');
      expect(parsed, field).toMatchObject({ ok: false, reason: 'malformed', id: raw['Id'] });
      if (!parsed.ok) expect(parsed.detail, field).toContain(field);
    }
    expect(parseFinding(without(raw, 'Id'), 'ECR.2')).toMatchObject({
      ok: false,
      reason: 'malformed',
      id: undefined,
    });
    for (const junk of [null, undefined, 42, 'finding', [], [raw]]) {
      expect(parseFinding(junk, 'ECR.2')).toMatchObject({ ok: false, reason: 'malformed', id: undefined });
    }
  });

  // BUG (src/core/findings/parse-finding.ts:99): `issue.path.join('.')` throws a TypeError when zod
  // reports a symbol-keyed path (a record with a symbol key), so parseFinding throws instead of
  // answering `malformed`. Fix: `issue.path.map(String).join('.')`.
  it('never throws, even on a record with a symbol key', () => {
    const raw = ecr2Finding(base);
    const productFields = { ...(raw['ProductFields'] as Asff), [Symbol('odd')]: 1 };
    expect(parseFinding({ ...raw, ProductFields: productFields }, 'ECR.2')).toMatchObject({
      ok: false,
      reason: 'malformed',
    });
  });

  // BUG (src/core/findings/parse-finding.ts:25): `UpdatedAt`/`FirstObservedAt` are checked with
  // `Date.parse`, which accepts non-ISO strings ("1" is 2001-01-01 in local time, so the result
  // depends on the machine's time zone). ASFF timestamps are RFC 3339; fix: `z.iso.datetime({ offset: true })`.
  it('rejects timestamps that are not ISO 8601', () => {
    const raw = ecr2Finding(base);
    expect(parseFinding({ ...raw, UpdatedAt: '1' }, 'ECR.2')).toMatchObject({
      ok: false,
      reason: 'malformed',
    });
  });
});

/** An oracle written apart from the parser: what a private ECR repository ARN looks like. */
const isPrivateEcrArn = (value: unknown): boolean => {
  if (typeof value !== 'string') return false;
  const parts = value.split(':');
  if (parts.length !== 6) return false;
  const [arnWord, partition, service, region, account, resource] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return (
    arnWord === 'arn' &&
    partition.startsWith('aws') &&
    service === 'ecr' &&
    /^[a-z]{2}(-[a-z]+)+-\d$/.test(region) &&
    /^\d{12}$/.test(account) &&
    /^repository\/[a-z0-9][a-z0-9._/-]*$/.test(resource)
  );
};

const controlOf = (raw: Asff): unknown => {
  const compliance = raw['Compliance'] as Asff | undefined;
  const productFields = raw['ProductFields'] as Asff | undefined;
  return (
    compliance?.['SecurityControlId'] ??
    productFields?.['ControlId'] ??
    (typeof raw['GeneratorId'] === 'string' ? raw['GeneratorId'].split('/').at(-1) : undefined)
  );
};

const PATHS = [
  ['Id'],
  ['ProductArn'],
  ['GeneratorId'],
  ['UpdatedAt'],
  ['FirstObservedAt'],
  ['RecordState'],
  ['Workflow'],
  ['Workflow', 'Status'],
  ['WorkflowState'],
  ['Compliance'],
  ['Compliance', 'Status'],
  ['Compliance', 'SecurityControlId'],
  ['Compliance', 'AssociatedStandards'],
  ['ProductFields'],
  ['ProductFields', 'ControlId'],
  ['Resources'],
  ['Resources', '0'],
  ['Resources', '0', 'Type'],
  ['Resources', '0', 'Id'],
  ['Resources', '0', 'Tags'],
  ['Note'],
  ['Note', 'UpdatedBy'],
  ['Severity'],
] as const;

/** Sets (or deletes, for `undefined`) a path in a deep copy. */
const mutate = (raw: Asff, path: readonly string[], value: unknown): Asff => {
  const copy = structuredClone(raw);
  let node: Record<string, unknown> = copy;
  for (const step of path.slice(0, -1)) {
    const next = node[step];
    if (!next || typeof next !== 'object') return copy;
    node = next as Record<string, unknown>;
  }
  const last = path.at(-1) as string;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
};

const interestingValue = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(
    'ECR.2',
    'ECR.3',
    'AwsEcrRepository',
    'hubwarden',
    'FAILED',
    'PASSED',
    'ARCHIVED',
    'NOTIFIED',
    '2025-01-06T08:00:00.000Z',
    'arn:aws:ecr:us-east-1:123456789012:repository/other',
    'arn:aws:ecr-public::123456789012:repository/public',
    'arn:aws:ecr:us-east-1:123456789012:repository/',
    '',
  ),
  fc.anything(),
);

describe('parseFinding: properties', () => {
  it('never throws on arbitrary JSON values or arbitrary values, and never accepts them', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.anything()), (value) => {
        const parsed = parseFinding(value, 'ECR.2');
        expect(parsed.ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('accepts a mutated finding only when it still is an ECR.2 finding on a private ECR repository', () => {
    const seeds = [
      ecr2Finding(base),
      ecr2Finding({ ...base, standard: 'nist-800-53', tags: { Team: 'search' } }),
      otherControlFinding({ accountId: base.accountId, region: base.region }),
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(fc.tuple(fc.constantFrom(...PATHS), interestingValue), { minLength: 1, maxLength: 4 }),
        (seed, mutations) => {
          const raw = mutations.reduce((current, [path, value]) => mutate(current, path, value), seed);
          const parsed = parseFinding(raw, 'ECR.2');
          if (!parsed.ok) return;
          expect(controlOf(raw)).toBe('ECR.2');
          const resource = (raw['Resources'] as Asff[]).find(
            (candidate) => candidate['Type'] === 'AwsEcrRepository',
          );
          expect(isPrivateEcrArn(resource?.['Id'])).toBe(true);
          expect(parsed.finding.repository.arn).toBe(resource?.['Id']);
          expect(parsed.finding.id).toBe(raw['Id']);
          expect(Number.isNaN(Date.parse(parsed.finding.updatedAt))).toBe(false);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
