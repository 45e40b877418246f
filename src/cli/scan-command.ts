import { composeScan } from '../app/composition-root.js';
import { failingProviders, type FailingProvider } from '../core/failures/provider-failures.js';
import { ecr2TagImmutability } from '../core/controls/ecr2-tag-immutability.js';
import { parseFinding } from '../core/findings/parse-finding.js';
import { groupByRepository, isActiveFailure } from '../core/findings/repository-findings.js';
import { ticketKeyFromNotes } from '../core/findings/workflow-notes.js';
import type { Finding, Risk } from '../core/model.js';
import { chooseOwner } from '../core/owners/choose-owner.js';
import { mergeTags } from '../core/owners/resolve-owner.js';
import type { ScanConfig } from '../config/load-config.js';
import type { Logger } from '../core/ports/logger.js';
import type { StateStore } from '../core/ports/state-store.js';

export interface ScanRow {
  readonly repository: string;
  readonly name: string;
  readonly accountId: string;
  readonly region: string;
  readonly findings: number;
  readonly owner: string;
  readonly ownerRule: string;
  readonly ownerDetail: string;
  readonly ticket: string | undefined;
  readonly risks: readonly Risk[];
  readonly error: string | undefined;
  /** what hubwarden's own work on it is failing at, per provider (known only when Redis answers) */
  readonly failures: readonly ScanFailure[];
}

/** What hubwarden's own work on a repository is failing at, per provider. */
export type ScanFailure = FailingProvider;

const knownFailures = async (state: StateStore | undefined, key: string): Promise<ScanFailure[]> =>
  failingProviders(state ? await state.getFailures(key).catch(() => undefined) : undefined);

/** State is optional for a scan: without Redis it still answers, only without known tickets. */
const knownTicket = async (state: StateStore | undefined, key: string): Promise<string | undefined> => {
  if (!state) return undefined;
  return (await state.getRecord(key).catch(() => undefined))?.ticket?.key;
};

/**
 * `hubwarden scan`: a read-only inventory of repositories with an active failed ECR.2 finding, with
 * owner, the rule that chose it, the ticket if known, and the pre-fix risks. AWS reads only.
 */
export const scan = async (config: ScanConfig, log: Logger): Promise<ScanRow[]> => {
  const { aws, state, redisUnreachable, close } = await composeScan(config);
  if (redisUnreachable) {
    process.stderr.write(
      `hubwarden: redis: unreachable at ${redisUnreachable.target} (${redisUnreachable.reason}); tickets known only from Security Hub notes\n`,
    );
  }
  try {
    const findings: Finding[] = [];
    for await (const page of aws.findingsSource.pages({ controlId: ecr2TagImmutability.controlId })) {
      for (const raw of page.findings) {
        const parsed = parseFinding(raw, ecr2TagImmutability.controlId);
        if (parsed.ok) findings.push(parsed.finding);
        else if (parsed.reason === 'malformed')
          log.warn({ findingId: parsed.id, detail: parsed.detail }, 'malformed finding skipped');
      }
    }
    const rows: ScanRow[] = [];
    for (const { repository, findings: ofRepository } of groupByRepository(findings).values()) {
      const failing = ofRepository.filter(isActiveFailure);
      if (failing.length === 0) continue;
      let error: string | undefined;
      const [tags, risks] = await Promise.all([
        aws.repositoryRegistry.tags(repository).catch((cause: Error) => ((error = cause.message), {})),
        aws.repositoryRegistry
          .images(repository)
          .then((images) => ecr2TagImmutability.assessRisks(images))
          .catch((cause: Error) => ((error = cause.message), [] as Risk[])),
      ]);
      const choice = chooseOwner(mergeTags(failing, tags), repository.accountId, config.policy);
      const owner =
        choice.kind === 'resolved'
          ? {
              owner: choice.resolution.owner.name,
              ownerRule: choice.resolution.rule,
              ownerDetail: choice.resolution.detail,
            }
          : {
              owner: choice.email,
              ownerRule: 'email-tag',
              ownerDetail: `tag ${choice.tagKey}=${choice.email}`,
            };
      rows.push({
        repository: repository.arn,
        name: repository.name,
        accountId: repository.accountId,
        region: repository.region,
        findings: failing.length,
        ...owner,
        ticket: (await knownTicket(state, repository.key)) ?? ticketKeyFromNotes(ofRepository),
        risks,
        error,
        failures: await knownFailures(state, repository.key),
      });
    }
    return rows.sort((a, b) => a.repository.localeCompare(b.repository));
  } finally {
    close();
  }
};
