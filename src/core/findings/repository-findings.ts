import { digestOf } from '../hash.js';
import type { Finding, RepositoryRef } from '../model.js';

/** A finding counts against its repository while it is active and failed. */
export const isActiveFailure = (finding: Finding): boolean =>
  finding.recordState === 'ACTIVE' && finding.compliance === 'FAILED';

/** A repository fails ECR.2 while any of its findings (any standard) is an active failure. */
export const isFailing = (findings: readonly Finding[]): boolean => findings.some(isActiveFailure);

/** Groups findings by repository ARN; several findings of one repository are one repository. */
export const groupByRepository = (
  findings: Iterable<Finding>,
): Map<string, { repository: RepositoryRef; findings: Finding[] }> => {
  const groups = new Map<string, { repository: RepositoryRef; findings: Finding[] }>();
  for (const finding of findings) {
    const group = groups.get(finding.repository.key);
    if (group) group.findings.push(finding);
    else groups.set(finding.repository.key, { repository: finding.repository, findings: [finding] });
  }
  return groups;
};

/**
 * What a repository's findings say, reduced to what drives decisions: a poll enqueues work for a
 * repository only when this changes (or the configuration does).
 */
export const findingsFingerprint = (findings: readonly Finding[]): string =>
  digestOf(
    [...findings]
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((finding) => [finding.id, finding.compliance, finding.recordState, finding.workflow]),
  );
