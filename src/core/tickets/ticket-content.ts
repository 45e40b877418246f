import type { ControlModule } from '../controls/control.js';
import { bullets, code, heading, paragraph, text, type Block, type Doc, type Inline } from '../document.js';
import type { Finding, OwnerResolution, RepositoryRef, Risk } from '../model.js';
import type { Assignee, NewTicket } from '../ports/ticket-tracker.js';
import { ticketLabelOf } from '../repository-ref.js';

export const MANAGED_LABEL = 'hubwarden';
const LISTED_FINDINGS = 20;
const SUMMARY_LIMIT = 255;

export type JiraDeployment = 'cloud' | 'datacenter';

export const assigneeOf = (resolution: OwnerResolution, deployment: JiraDeployment): Assignee | undefined => {
  const { jiraAccountId, jiraUser } = resolution.owner;
  if (deployment === 'cloud')
    return jiraAccountId ? { accountId: jiraAccountId, userName: undefined } : undefined;
  return jiraUser ? { accountId: undefined, userName: jiraUser } : undefined;
};

export const ticketSummary = (control: ControlModule, repository: RepositoryRef): string =>
  `${control.controlId}: ${control.problem} in ECR repository ${repository.name} (account ${repository.accountId}, ${repository.region})`.slice(
    0,
    SUMMARY_LIMIT,
  );

const findingLine = (finding: Finding): Inline[] => [
  code(finding.id),
  text(
    // No workflow status here: hubwarden changes it itself, and the description must not go stale by that.
    ` ${finding.compliance}, ${finding.recordState.toLowerCase()}` +
      (finding.standards.length > 0 ? `, standards: ${finding.standards.join(', ')}` : '') +
      (finding.firstObservedAt ? `, first observed ${finding.firstObservedAt}` : ''),
  ),
];

const risksBlock = (risks: readonly Risk[]): Block =>
  risks.length === 0
    ? paragraph(text('The pre-fix check found no floating tags, untagged images or signature tags.'))
    : bullets(...risks.map((risk) => [text(risk.summary)]));

const ticketDescription = (
  control: ControlModule,
  repository: RepositoryRef,
  findings: readonly Finding[],
  owner: OwnerResolution,
  risks: readonly Risk[],
): Doc => {
  const listed = [...findings].sort((a, b) => a.id.localeCompare(b.id)).slice(0, LISTED_FINDINGS);
  const more = findings.length - listed.length;
  return [
    heading('What is wrong'),
    paragraph(
      text('AWS Security Hub control '),
      code(control.controlId),
      text(` reports that ${control.problem} in the private ECR repository `),
      code(repository.name),
      text(
        ` (account ${repository.accountId}, region ${repository.region}). Anyone who can push may re-point a tag, so the image that was scanned and approved may not be the one that deploys.`,
      ),
    ),
    paragraph(text('Repository ARN: '), code(repository.arn)),
    heading(`Findings (${findings.length})`),
    bullets(...listed.map(findingLine), ...(more > 0 ? [[text(`and ${more} more`)]] : [])),
    heading('Owner'),
    paragraph(text(`${owner.owner.name}, chosen by ${owner.detail}.`)),
    heading('Before you fix'),
    risksBlock(risks),
    heading('How to fix'),
    ...control.howToFix(repository),
    paragraph(
      text('This ticket is managed by hubwarden: keep the labels '),
      code(MANAGED_LABEL),
      text(' and '),
      code(ticketLabelOf(repository)),
      text(' so it is found again.'),
    ),
  ];
};

export const newTicketFor = (
  control: ControlModule,
  repository: RepositoryRef,
  findings: readonly Finding[],
  owner: OwnerResolution,
  risks: readonly Risk[],
  deployment: JiraDeployment,
): NewTicket => ({
  summary: ticketSummary(control, repository),
  description: ticketDescription(control, repository, findings, owner, risks),
  labels: [MANAGED_LABEL, ticketLabelOf(repository)],
  assignee: assigneeOf(owner, deployment),
});

/** The suppression's audit record (docs/architecture.md, "Audit record"), as the Security Hub note carries it. */
const auditLine = (record: string | undefined): Block[] =>
  record ? [paragraph(text('Audit record: '), code(record))] : [];

/** Comments posted at lifecycle steps. User text stays a plain `text` inline: renderers escape it. */
export const comments = {
  passed: (): Doc => [
    paragraph(text('Every Security Hub finding for this repository now passes or is archived. Closing.')),
  ],
  fixed: (by: string, at: string): Doc => [
    paragraph(
      text(
        `Fixed through hubwarden by ${by} at ${at}: image tags are now IMMUTABLE (verified by reading the repository back).`,
      ),
    ),
  ],
  failsAgain: (activeFailures: number): Doc => [
    paragraph(text(`This repository fails again (${activeFailures} active failed finding(s)). Reopening.`)),
  ],
  suppressed: (by: string, until: string, justification: string, auditRecord?: string): Doc => [
    paragraph(text(`Suppressed by ${by} until ${until}. Justification:`)),
    paragraph(text(justification)),
    ...auditLine(auditRecord),
  ],
  suppressionEnded: (why: string, auditRecord?: string): Doc => [
    paragraph(text(`The suppression ended: ${why}. Reopening.`)),
    ...auditLine(auditRecord),
  ],
  fixFailed: (reason: string): Doc => [paragraph(text(`The fix through hubwarden failed: ${reason}`))],
};
