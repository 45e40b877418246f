import { HubwardenError } from '../errors.js';
import type { Finding, WorkflowStatus } from '../model.js';
import type { UnprocessedFinding } from '../ports/findings-source.js';
import type { PipelineDeps } from '../use-cases/pipeline-deps.js';

const BATCH = 100;

/**
 * Moves findings to a workflow status with one note, at most 100 a call, and records the new status
 * in the stored snapshot (BatchUpdateFindings does not move `UpdatedAt`, so a poll would not see it).
 * Findings the provider refuses for good (gone, too large, invalid) are logged once and left alone: they
 * neither fail nor retry the job. Any other unprocessed finding makes the job retry; those already moved
 * are not sent again.
 */
export const setWorkflow = async (
  deps: Pick<PipelineDeps, 'findingsSource' | 'state' | 'log'>,
  findings: readonly Finding[],
  workflow: WorkflowStatus,
  note: string,
  options: { rewriteNote?: boolean } = {},
): Promise<number> => {
  // `rewriteNote`: a finding already in this status gets the note when its note differs (a suppression's
  // record changed, e.g. by its review), so Security Hub always holds the current record.
  const targets = findings.filter(
    (finding) => finding.workflow !== workflow || (options.rewriteNote && finding.hubwardenNote !== note),
  );
  let moved = 0;
  const refused: UnprocessedFinding[] = [];
  try {
    for (let start = 0; start < targets.length; start += BATCH) {
      const batch = targets.slice(start, start + BATCH);
      const result = await deps.findingsSource.updateWorkflow({ findings: batch, workflow, note });
      const processed = new Set(result.processed.map((finding) => finding.id));
      await deps.state.mergeFindings(
        batch
          .filter((finding) => processed.has(finding.id))
          .map((finding) => ({ ...finding, workflow, hubwardenNote: note })),
      );
      moved += processed.size;
      refused.push(...result.unprocessed.filter((finding) => finding.permanent));
      const retryable = result.unprocessed.filter((finding) => !finding.permanent);
      if (retryable.length > 0) {
        deps.log.warn(
          { unprocessed: retryable.map(({ id, errorCode }) => ({ id, errorCode })) },
          'Security Hub left findings unprocessed',
        );
        throw new HubwardenError(`${retryable.length} finding(s) unprocessed by BatchUpdateFindings`, {
          kind: 'retryable',
          code: 'securityhub.unprocessed_findings',
          service: 'securityhub',
        });
      }
    }
  } finally {
    if (refused.length > 0) {
      deps.log.warn(
        {
          workflow,
          refused: refused.map(({ id, errorCode, errorMessage }) => ({ id, errorCode, errorMessage })),
        },
        'Security Hub refused to update findings for good; left as they are',
      );
    }
  }
  return moved;
};
