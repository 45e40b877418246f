import { describe, expect, it } from 'vitest';
import { ecr2TagImmutability } from '../../src/core/controls/ecr2-tag-immutability.js';
import { docToPlainText } from '../../src/core/document.js';
import type { OwnerResolution, Risk } from '../../src/core/model.js';
import { ticketLabelOf } from '../../src/core/repository-ref.js';
import {
  assigneeOf,
  comments,
  MANAGED_LABEL,
  newTicketFor,
  ticketSummary,
} from '../../src/core/tickets/ticket-content.js';
import { findingOf } from '../support/fake-ports.js';
import { owner } from './pipeline-harness.js';

const at = { accountId: '111111111111', region: 'eu-west-1', repositoryName: 'team/payments-api' };
const resolution: OwnerResolution = { owner: owner('payments'), rule: 'tag', detail: 'tag Owner=payments' };
const risks: Risk[] = [
  {
    kind: 'floating-tags',
    summary: '2 floating tag(s) that pipelines re-push (latest, main)',
    examples: ['latest', 'main'],
    count: 2,
  },
  { kind: 'signature-tags', summary: '1 signature/attestation tag(s) (cosign)', examples: [], count: 1 },
];

describe('ticket content', () => {
  it('names repository, account and region in a summary of at most 255 characters', () => {
    const repository = findingOf(at).repository;
    const summary = ticketSummary(ecr2TagImmutability, repository);
    expect(summary).toBe(
      'ECR.2: image tags are mutable in ECR repository team/payments-api (account 111111111111, eu-west-1)',
    );
    const long = findingOf({ ...at, repositoryName: `deep/${'x'.repeat(250)}` }).repository;
    expect(ticketSummary(ecr2TagImmutability, long).length).toBe(255);
  });

  it('carries the managed label and the repository label', () => {
    const finding = findingOf(at);
    const ticket = newTicketFor(
      ecr2TagImmutability,
      finding.repository,
      [finding],
      resolution,
      risks,
      'cloud',
    );
    expect(ticket.labels).toEqual([MANAGED_LABEL, ticketLabelOf(finding.repository)]);
    expect(ticket.labels.every((label) => !/\s/.test(label))).toBe(true);
  });

  it('assigns by account id on Cloud and by user name on Data Center', () => {
    expect(assigneeOf(resolution, 'cloud')).toEqual({ accountId: 'acc-payments', userName: undefined });
    expect(assigneeOf(resolution, 'datacenter')).toEqual({ accountId: undefined, userName: 'user-payments' });
    const cloudOnly = { ...resolution, owner: owner('x', { jiraUser: undefined }) };
    expect(assigneeOf(cloudOnly, 'datacenter')).toBeUndefined();
    const dcOnly = { ...resolution, owner: owner('x', { jiraAccountId: undefined }) };
    expect(assigneeOf(dcOnly, 'cloud')).toBeUndefined();
  });

  it('describes findings, owner rule, risks and the fix', () => {
    const findings = [findingOf(at), findingOf({ ...at, standard: 'pci-dss' })];
    const ticket = newTicketFor(
      ecr2TagImmutability,
      findings[0]!.repository,
      findings,
      resolution,
      risks,
      'cloud',
    );
    const description = docToPlainText(ticket.description);
    expect(description).toContain('Findings (2)');
    for (const finding of findings) expect(description).toContain(finding.id);
    expect(description).toContain('payments, chosen by tag Owner=payments.');
    for (const risk of risks) expect(description).toContain(risk.summary);
    expect(description).toContain('aws ecr put-image-tag-mutability');
    expect(description).toContain(findings[0]!.repository.arn);
    expect(description).toContain(ticketLabelOf(findings[0]!.repository));
  });

  it('says so when the pre-fix check found no risk', () => {
    const finding = findingOf(at);
    const description = docToPlainText(
      newTicketFor(ecr2TagImmutability, finding.repository, [finding], resolution, [], 'cloud').description,
    );
    expect(description).toContain('found no floating tags, untagged images or signature tags');
  });

  it('lists at most 20 findings, sorted, and counts the rest', () => {
    const findings = Array.from({ length: 27 }, (_, index) =>
      findingOf({ ...at, uuid: `u${String(index).padStart(2, '0')}` }),
    );
    const ticket = newTicketFor(
      ecr2TagImmutability,
      findings[0]!.repository,
      [...findings].reverse(),
      resolution,
      [],
      'cloud',
    );
    const description = docToPlainText(ticket.description);
    expect(description).toContain('Findings (27)');
    const listed = findings.filter((finding) => description.includes(finding.id));
    expect(listed).toHaveLength(20);
    expect(listed.map((finding) => finding.id)).toEqual(
      findings
        .map((finding) => finding.id)
        .sort()
        .slice(0, 20),
    );
    expect(description).toContain('and 7 more');
  });

  it('keeps user text of lifecycle comments as plain text inlines', () => {
    const justification = '<@U0BOSS> *bold* [link|http://evil] {code}';
    const comment = comments.suppressed('U0ALICE', '2025-03-01', justification);
    expect(comment).toContainEqual({ type: 'paragraph', content: [{ type: 'text', text: justification }] });
    expect(docToPlainText(comments.fixed('U0ALICE', '2025-01-02T00:00:00Z'))).toContain('IMMUTABLE');
    expect(docToPlainText(comments.failsAgain(3))).toContain('3 active failed finding(s)');
  });
});
