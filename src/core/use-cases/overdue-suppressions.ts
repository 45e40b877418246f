import type { PipelineDeps } from './pipeline-deps.js';

import { isSuppressionOverdue } from './repository-phase.js';

/** Ids of suppressions still active or pending although their end date has passed. */
export const overdueSuppressions = async (deps: Pick<PipelineDeps, 'state' | 'clock'>): Promise<string[]> => {
  const now = deps.clock();
  return (await deps.state.listSuppressions())
    .filter((suppression) => isSuppressionOverdue(suppression, now))
    .map((suppression) => suppression.id);
};
