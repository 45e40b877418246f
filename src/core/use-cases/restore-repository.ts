import type { MessageRef } from '../model.js';
import type { RepositoryRecord } from '../ports/state-store.js';
import type { PipelineDeps } from './pipeline-deps.js';
import { reconcileRepository } from './reconcile-repository.js';
import { readFindingsOf, restoreSuppressions } from './restore-suppressions.js';

/**
 * Someone pressed Fix or Suppress on a repository card whose record the state store does not hold
 * (Redis lost, no poll since). The pressed message must be hubwarden's card for that repository (its
 * metadata names the key, and on cards posted since, the ARN); the repository's findings are read from
 * the findings source (every finding of the control for an older card), merged into the state store,
 * the suppressions their notes name rebuilt, and the repository reconciled as the next poll would
 * (ticket found by its label, the card adopted from the notes, the owner resolved). Answers the rebuilt
 * record, or `undefined` when the message is not its card or Security Hub holds none of its findings.
 */
export const restoreRepositoryFromCard = async (
  deps: PipelineDeps,
  repositoryKey: string,
  card: MessageRef,
): Promise<RepositoryRecord | undefined> => {
  const subject = await deps.chat?.repositoryCardAt(card, repositoryKey);
  if (!subject) return undefined;
  const findings = (await readFindingsOf(deps, subject.repositoryArn)).filter(
    (finding) => finding.repository.key === repositoryKey,
  );
  if (findings.length === 0) return undefined;
  await deps.state.mergeFindings(findings);
  await restoreSuppressions(deps, findings);
  await reconcileRepository(deps, repositoryKey);
  deps.log.info({ repositoryArn: findings[0]?.repository.arn }, 'repository record rebuilt on a press');
  return deps.state.getRecord(repositoryKey);
};
