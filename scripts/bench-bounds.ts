/**
 * The fewest calls each service needs for a backlog, and the shortest drain the providers' limits allow.
 * Formulas are documented in docs/benchmarks.md; keep the two in step.
 */
import type { SeededRepository } from '../test/fixtures/seed-sandbox.js';
import { SANDBOX_PEOPLE } from '../test/standins/sandbox.js';

export interface Limit {
  readonly perSecond: number;
  readonly burst: number;
}

export interface Limits {
  readonly getFindings: Limit;
  readonly batchUpdateFindings: Limit;
  readonly jira: Limit;
  /** `chat.postMessage`, per channel */
  readonly slackPerChannel: Limit;
}

export interface Backlog {
  readonly repositories: readonly SeededRepository[];
  /** ECR.2 findings in Security Hub (all of them, failing or not) */
  readonly findings: number;
  readonly accounts: readonly string[];
  /** messages each channel must receive (from the owner routing of this backlog) */
  readonly messagesPerChannel: ReadonlyMap<string, number>;
}

/** Service groups the figures are reported by. */
export const SERVICES = [
  'securityhub.GetFindings',
  'securityhub.BatchUpdateFindings',
  'sts',
  'ecr',
  'jira',
  'slack',
] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface Bounds {
  readonly failing: number;
  readonly emailOwners: number;
  readonly minCalls: Readonly<Record<ServiceName, number>>;
  /** BatchUpdateFindings by the naive formula, ceil(failing findings / 100), for comparison */
  readonly batchUpdateByFindings: number;
  /** seconds each limited service needs at least */
  readonly seconds: Readonly<Record<'getFindings' | 'batchUpdateFindings' | 'jira' | 'slack', number>>;
  /** the largest of them: no schedule can drain faster */
  readonly lowerBoundSeconds: number;
  readonly bottleneck: string;
}

const PAGE = 100;

/** The owner tag value as the owners file's rules pick it (`ownerTags: [Owner, Team]`, keys case-insensitive). */
const ownerTagValue = (tags: Readonly<Record<string, string>>): string | undefined => {
  for (const wanted of ['owner', 'team']) {
    const hit = Object.entries(tags).find(([key]) => key.toLowerCase() === wanted);
    if (hit) return hit[1];
  }
  return undefined;
};

/** Time a token bucket needs to let `calls` through, starting full. */
export const bucketSeconds = (calls: number, limit: Limit): number =>
  Math.max(0, (calls - limit.burst) / limit.perSecond);

export const computeBounds = (backlog: Backlog, limits: Limits): Bounds => {
  const failing = backlog.repositories.filter((repository) => repository.compliance === 'FAILED');
  const failingFindings = failing.reduce((sum, repository) => sum + repository.findingIds.length, 0);
  const emails = new Set(
    failing
      .map((repository) => ownerTagValue(repository.tags))
      .filter((value): value is string => value?.includes('@') === true)
      .map((value) => value.toLowerCase()),
  );
  const slackPeople = [...emails].filter((email) => SANDBOX_PEOPLE.some((person) => person.email === email));
  const minCalls: Record<ServiceName, number> = {
    'securityhub.GetFindings': Math.max(1, Math.ceil(backlog.findings / PAGE)),
    // each NOTIFIED note names the repository's own ticket, so one call per repository
    'securityhub.BatchUpdateFindings': failing.length,
    sts: new Set(failing.map((repository) => repository.accountId)).size,
    // tags (ListTagsForResource) and the pre-fix risk check (DescribeImages), once per repository
    ecr: 2 * failing.length,
    // one create per repository, one bulk search (a page per 100 existing tickets, at least one),
    // one user search per e-mail owner
    jira: failing.length + 1 + emails.size,
    // one message per repository, one users.lookupByEmail per e-mail owner, one conversations.open per DM
    slack: failing.length + emails.size + slackPeople.length,
  };
  const slackSeconds = Math.max(
    0,
    ...[...backlog.messagesPerChannel.values()].map((count) => bucketSeconds(count, limits.slackPerChannel)),
  );
  const seconds = {
    getFindings: bucketSeconds(minCalls['securityhub.GetFindings'], limits.getFindings),
    batchUpdateFindings: bucketSeconds(
      minCalls['securityhub.BatchUpdateFindings'],
      limits.batchUpdateFindings,
    ),
    jira: bucketSeconds(minCalls.jira, limits.jira),
    slack: slackSeconds,
  };
  const [bottleneck, lowerBoundSeconds] = Object.entries(seconds).reduce((best, entry) =>
    entry[1] > best[1] ? entry : best,
  );
  return {
    failing: failing.length,
    emailOwners: emails.size,
    minCalls,
    batchUpdateByFindings: Math.ceil(failingFindings / PAGE),
    seconds,
    lowerBoundSeconds,
    bottleneck,
  };
};

/** Calls per service group from the stand-ins' per-operation counters. */
export const groupCalls = (counters: {
  aws: Readonly<Record<string, number>>;
  jira: Readonly<Record<string, number>>;
  slack: Readonly<Record<string, number>>;
}): Record<ServiceName, number> => {
  const sum = (record: Readonly<Record<string, number>>, keep: (key: string) => boolean) =>
    Object.entries(record)
      .filter(([key]) => keep(key))
      .reduce((total, [, count]) => total + count, 0);
  return {
    'securityhub.GetFindings': counters.aws['securityhub.GetFindings'] ?? 0,
    'securityhub.BatchUpdateFindings': counters.aws['securityhub.BatchUpdateFindings'] ?? 0,
    sts: sum(counters.aws, (key) => key.startsWith('sts.')),
    ecr: sum(counters.aws, (key) => key.startsWith('ecr.')),
    jira: sum(counters.jira, () => true),
    slack: sum(counters.slack, () => true),
  };
};

/** `after - before` per key, dropping zeros. */
export const diffCounters = (
  before: Readonly<Record<string, number>>,
  after: Readonly<Record<string, number>>,
): Record<string, number> =>
  Object.fromEntries(
    Object.entries(after)
      .map(([key, count]) => [key, count - (before[key] ?? 0)] as const)
      .filter(([, count]) => count !== 0),
  );
