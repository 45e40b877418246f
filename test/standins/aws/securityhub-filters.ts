import { invalidInput } from './aws-error.js';

/**
 * The subset of Security Hub's `AwsSecurityFindingFilters` hubwarden (and its tests) use, with the real
 * semantics: values of one field with a positive comparison are OR-ed, negative comparisons are AND-ed,
 * and different fields are AND-ed.
 */
export type Asff = Record<string, unknown>;

interface StringFilter {
  Value?: string;
  Comparison?: string;
}

interface DateFilter {
  Start?: string;
  End?: string;
  DateRange?: { Value?: number; Unit?: string };
}

type FieldReader = (finding: Asff) => readonly string[];

const field =
  (...path: string[]): FieldReader =>
  (finding) => {
    let value: unknown = finding;
    for (const key of path) {
      if (typeof value !== 'object' || value === null) return [];
      value = (value as Record<string, unknown>)[key];
    }
    return typeof value === 'string' ? [value] : [];
  };

const resourceField =
  (key: string): FieldReader =>
  (finding) => {
    const resources = Array.isArray(finding['Resources']) ? (finding['Resources'] as unknown[]) : [];
    return resources.flatMap((resource) => {
      const value = (resource as Record<string, unknown> | null)?.[key];
      return typeof value === 'string' ? [value] : [];
    });
  };

const STRING_FIELDS: Readonly<Record<string, FieldReader>> = {
  ComplianceSecurityControlId: field('Compliance', 'SecurityControlId'),
  ComplianceStatus: field('Compliance', 'Status'),
  RecordState: field('RecordState'),
  WorkflowStatus: field('Workflow', 'Status'),
  AwsAccountId: field('AwsAccountId'),
  Region: field('Region'),
  Id: field('Id'),
  ProductArn: field('ProductArn'),
  GeneratorId: field('GeneratorId'),
  ResourceType: resourceField('Type'),
  ResourceId: resourceField('Id'),
};

/** Map fields: `Key` names an entry of the finding's map (`ProductFields.ControlId`, a resource tag). */
type MapReader = (finding: Asff, key: string) => readonly string[];

const mapEntry =
  (name: string): MapReader =>
  (finding, key) => {
    const map = finding[name];
    if (typeof map !== 'object' || map === null) return [];
    const value = (map as Record<string, unknown>)[key];
    return typeof value === 'string' ? [value] : [];
  };

const MAP_FIELDS: Readonly<Record<string, MapReader>> = {
  ProductFields: mapEntry('ProductFields'),
  UserDefinedFields: mapEntry('UserDefinedFields'),
};

const DATE_FIELDS: Readonly<Record<string, FieldReader>> = {
  UpdatedAt: field('UpdatedAt'),
  CreatedAt: field('CreatedAt'),
  FirstObservedAt: field('FirstObservedAt'),
  LastObservedAt: field('LastObservedAt'),
};

const POSITIVE: Readonly<Record<string, (actual: string, wanted: string) => boolean>> = {
  EQUALS: (a, w) => a === w,
  PREFIX: (a, w) => a.startsWith(w),
  CONTAINS: (a, w) => a.includes(w),
};
const NEGATIVE: Readonly<Record<string, (actual: string, wanted: string) => boolean>> = {
  NOT_EQUALS: (a, w) => a !== w,
  PREFIX_NOT_EQUALS: (a, w) => !a.startsWith(w),
  NOT_CONTAINS: (a, w) => !a.includes(w),
};

export type FindingPredicate = (finding: Asff) => boolean;

const stringPredicate = (name: string, read: FieldReader, filters: unknown): FindingPredicate => {
  if (!Array.isArray(filters)) throw invalidInput(`Filter ${name} must be a list`);
  const positive: StringFilter[] = [];
  const negative: StringFilter[] = [];
  for (const filter of filters as StringFilter[]) {
    if (typeof filter.Value !== 'string') throw invalidInput(`Filter ${name} needs a Value`);
    const comparison = filter.Comparison ?? '';
    if (comparison in POSITIVE) positive.push(filter);
    else if (comparison in NEGATIVE) negative.push(filter);
    else throw invalidInput(`Unsupported comparison ${comparison} for ${name}`);
  }
  return (finding) => {
    const values = read(finding);
    const matches = (f: StringFilter, table: typeof POSITIVE): boolean =>
      values.some((value) => table[f.Comparison ?? '']?.(value, f.Value ?? '') ?? false);
    const positiveOk = positive.length === 0 || positive.some((f) => matches(f, POSITIVE));
    const negativeOk = negative.every((f) => values.length === 0 || matches(f, NEGATIVE));
    return positiveOk && negativeOk;
  };
};

interface MapFilter {
  Key?: string;
  Value?: string;
  Comparison?: string;
}

const MAP_POSITIVE: Readonly<Record<string, (actual: string, wanted: string) => boolean>> = {
  EQUALS: (a, w) => a === w,
  CONTAINS: (a, w) => a.includes(w),
};
const MAP_NEGATIVE: Readonly<Record<string, (actual: string, wanted: string) => boolean>> = {
  NOT_EQUALS: (a, w) => a !== w,
  NOT_CONTAINS: (a, w) => !a.includes(w),
};

/**
 * As AWS documents map filters: EQUALS and CONTAINS filters on one field are OR-ed, NOT_EQUALS and
 * NOT_CONTAINS are AND-ed, and one field may not mix EQUALS with NOT_EQUALS (or CONTAINS with NOT_CONTAINS).
 */
const mapPredicate = (name: string, read: MapReader, filters: unknown): FindingPredicate => {
  if (!Array.isArray(filters)) throw invalidInput(`Filter ${name} must be a list`);
  const positive: MapFilter[] = [];
  const negative: MapFilter[] = [];
  for (const filter of filters as MapFilter[]) {
    if (typeof filter.Key !== 'string' || filter.Key === '') throw invalidInput(`Filter ${name} needs a Key`);
    if (typeof filter.Value !== 'string') throw invalidInput(`Filter ${name} needs a Value`);
    const comparison = filter.Comparison ?? '';
    if (comparison in MAP_POSITIVE) positive.push(filter);
    else if (comparison in MAP_NEGATIVE) negative.push(filter);
    else throw invalidInput(`Unsupported comparison ${comparison} for ${name}`);
  }
  const comparisons = new Set([...positive, ...negative].map((filter) => filter.Comparison));
  if (
    (comparisons.has('EQUALS') && comparisons.has('NOT_EQUALS')) ||
    (comparisons.has('CONTAINS') && comparisons.has('NOT_CONTAINS'))
  ) {
    throw invalidInput(`Filter ${name} cannot combine a comparison with its negation`);
  }
  return (finding) => {
    const matches = (f: MapFilter, table: typeof MAP_POSITIVE): boolean =>
      read(finding, f.Key ?? '').some((value) => table[f.Comparison ?? '']?.(value, f.Value ?? '') ?? false);
    const positiveOk = positive.length === 0 || positive.some((f) => matches(f, MAP_POSITIVE));
    const negativeOk = negative.every(
      (f) => read(finding, f.Key ?? '').length === 0 || matches(f, MAP_NEGATIVE),
    );
    return positiveOk && negativeOk;
  };
};

const DAY_MS = 86_400_000;

const datePredicate = (name: string, read: FieldReader, filters: unknown, now: number): FindingPredicate => {
  if (!Array.isArray(filters)) throw invalidInput(`Filter ${name} must be a list`);
  const ranges = (filters as DateFilter[]).map((filter) => {
    const parse = (value: string | undefined, label: string): number | undefined => {
      if (value === undefined) return undefined;
      const ms = Date.parse(value);
      if (Number.isNaN(ms)) throw invalidInput(`Invalid ${label} date for ${name}: ${value}`);
      return ms;
    };
    if (filter.DateRange !== undefined) {
      if (filter.DateRange.Unit !== 'DAYS' || typeof filter.DateRange.Value !== 'number') {
        throw invalidInput(`Invalid DateRange for ${name}`);
      }
      return { start: now - filter.DateRange.Value * DAY_MS, end: now };
    }
    // AWS refuses an open-ended range: Start and End come together, or DateRange alone.
    if ((filter.Start === undefined) !== (filter.End === undefined)) {
      throw invalidInput(`DateFilter for ${name} needs both Start and End, or a DateRange`);
    }
    return { start: parse(filter.Start, 'Start'), end: parse(filter.End, 'End') };
  });
  return (finding) =>
    read(finding).some((value) => {
      const at = Date.parse(value);
      return ranges.every(
        ({ start, end }) => (start === undefined || at >= start) && (end === undefined || at <= end),
      );
    });
};

/** Builds a predicate from GetFindings `Filters`; unknown fields are a 400, as on the real API. */
export const compileFilters = (filters: unknown, now: number): FindingPredicate => {
  if (filters === undefined || filters === null) return () => true;
  if (typeof filters !== 'object') throw invalidInput('Filters must be an object');
  const predicates: FindingPredicate[] = [];
  for (const [name, value] of Object.entries(filters as Record<string, unknown>)) {
    const stringField = STRING_FIELDS[name];
    const dateField = DATE_FIELDS[name];
    const mapField = MAP_FIELDS[name];
    if (stringField !== undefined) predicates.push(stringPredicate(name, stringField, value));
    else if (mapField !== undefined) predicates.push(mapPredicate(name, mapField, value));
    else if (dateField !== undefined) predicates.push(datePredicate(name, dateField, value, now));
    else throw invalidInput(`The stand-in does not support filter ${name}`);
  }
  return (finding) => predicates.every((predicate) => predicate(finding));
};
