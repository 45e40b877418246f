import { isActiveFailure } from '../findings/repository-findings.js';
import type { Finding } from '../model.js';
import type { RepositoryAction, RepositoryPhase } from '../ports/chat.js';
import type { RepositoryRecord } from '../ports/state-store.js';
import type { Suppression } from '../suppression.js';

/** Active failures that still count: a verified fix outweighs findings not re-evaluated since. */
export const outstandingFailures = (
  findings: readonly Finding[],
  record: RepositoryRecord | undefined,
): Finding[] => {
  const fixedAt = record?.fix?.status === 'succeeded' ? record.fix.at : undefined;
  return findings.filter((finding) => isActiveFailure(finding) && (!fixedAt || finding.updatedAt > fixedAt));
};

/** Active or still pending although its end date has passed: it must be ended. */
export const isSuppressionOverdue = (suppression: Suppression, now: Date): boolean =>
  (suppression.status === 'active' || suppression.status === 'pending') &&
  Date.parse(suppression.expiresAt) <= now.getTime();

export const isSuppressionActive = (suppression: Suppression | undefined, now: Date): boolean =>
  suppression?.status === 'active' && Date.parse(suppression.expiresAt) > now.getTime();

/** Where the repository stands for people, and which buttons make sense. */
export const phaseOf = (
  failing: boolean,
  record: RepositoryRecord | undefined,
  suppression: Suppression | undefined,
  now: Date,
): { phase: RepositoryPhase; actions: RepositoryAction[] } => {
  if (!failing) {
    return { phase: record?.fix?.status === 'succeeded' ? 'fixed' : 'passed', actions: [] };
  }
  if (record?.fix?.status === 'queued') return { phase: 'fixing', actions: [] };
  if (isSuppressionActive(suppression, now)) return { phase: 'suppressed', actions: ['fix'] };
  if (suppression?.status === 'pending') return { phase: 'suppression-pending', actions: ['fix'] };
  if (record?.fix?.status === 'failed') return { phase: 'fix-failed', actions: ['fix', 'suppress'] };
  return { phase: 'failing', actions: ['fix', 'suppress'] };
};
