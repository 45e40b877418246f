import type { PipelineDeps } from './pipeline-deps.js';

/** Ids of suppressions still marked active although their end date has passed. */
export const overdueSuppressions = async (deps: Pick<PipelineDeps, 'state' | 'clock'>): Promise<string[]> => {
  const now = deps.clock().getTime();
  return (await deps.state.listSuppressions())
    .filter((suppression) => suppression.status === 'active' && Date.parse(suppression.expiresAt) <= now)
    .map((suppression) => suppression.id);
};
