import { HubwardenError } from '../errors.js';
import type { Finding, WorkflowStatus } from '../model.js';
import type { PipelineDeps } from '../use-cases/pipeline-deps.js';

const BATCH = 100;

/**
 * Moves findings to a workflow status with one note, at most 100 a call, and records the new status
 * in the stored snapshot (BatchUpdateFindings does not move `UpdatedAt`, so a poll would not see it).
 * Unprocessed findings make the job retry; those already moved are not sent again.
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
    if (result.unprocessed.length > 0) {
      deps.log.warn(
        { unprocessed: result.unprocessed.map(({ id, errorCode }) => ({ id, errorCode })) },
        'Security Hub left findings unprocessed',
      );
      throw new HubwardenError(`${result.unprocessed.length} finding(s) unprocessed by BatchUpdateFindings`, {
        kind: 'retryable',
        code: 'securityhub.unprocessed_findings',
        service: 'securityhub',
      });
    }
  }
  return moved;
};
