import type { OwnerResolution, RepositoryRef, Risk } from '../../../src/core/model.js';
import type { RepositoryCard, SuppressionReviewCard } from '../../../src/core/ports/chat.js';
import type { SuppressForm } from '../../../src/core/ports/interactions.js';
import type { Suppression } from '../../../src/core/suppression.js';
import { suppressionOf } from '../../support/fake-ports.js';

export const repository: RepositoryRef = {
  arn: 'arn:aws:ecr:eu-west-1:111111111111:repository/payments/api',
  partition: 'aws',
  accountId: '111111111111',
  region: 'eu-west-1',
  name: 'payments/api',
  key: 'repo-3f9a1c',
};

export const owner: OwnerResolution = {
  owner: {
    name: 'payments',
    jiraAccountId: '5b10a2844c20165700ede21g',
    jiraUser: undefined,
    slackChannel: 'C0PAYMENTS',
    slackUsers: ['U0ALICE', 'U0BOB'],
    email: undefined,
  },
  rule: 'tag',
  detail: 'tag Owner=payments',
};

export const risks: readonly Risk[] = [
  {
    kind: 'floating-tags',
    summary: 'floating tags re-pushed by pipelines',
    examples: ['latest', 'dev'],
    count: 2,
  },
  {
    kind: 'signature-tags',
    summary: 'signature tags appended by cosign',
    examples: ['sha256-ab12.sig'],
    count: 1,
  },
];

export const card = (overrides: Partial<RepositoryCard> = {}): RepositoryCard => ({
  repository,
  owner,
  ticket: { key: 'SEC-42', url: 'https://acme.atlassian.net/browse/SEC-42' },
  risks,
  phase: 'failing',
  actor: undefined,
  at: undefined,
  reason: undefined,
  suppression: undefined,
  actions: ['fix', 'suppress'],
  ...overrides,
});

export const suppression = (overrides: Partial<Suppression> = {}): Suppression =>
  suppressionOf(repository, {
    id: 'sup-0001',
    ticketKey: 'SEC-42',
    requestedAt: '2025-03-01T10:00:00.000Z',
    justification: 'Legacy deploy job re-tags latest; migration planned for Q2.',
    expiresAt: '2025-03-31T00:00:00.000Z',
    status: 'pending',
    ...overrides,
  });

export const review = (overrides: Partial<Suppression> = {}): SuppressionReviewCard => ({
  suppression: suppression(overrides),
  ticket: { key: 'SEC-42', url: 'https://acme.atlassian.net/browse/SEC-42' },
  actions: ['approve', 'revoke'],
});

export const suppressForm: SuppressForm = {
  ok: true,
  repository,
  minJustificationLength: 20,
  maxJustificationLength: 2000,
  maxDays: 90,
  defaultExpiry: '2025-03-31',
  latestExpiry: '2025-05-30',
  formToken: 'form-token-0001',
};

/** Text that tries every trick Slack mrkdwn offers. */
export const HOSTILE =
  '<!channel> <!here|here> <@U0BOSS> <#C0GENERAL> <https://evil.example|click me> @here @channel @everyone ' +
  '*bold* _italic_ ~strike~ `code` ```block```\n> quoted\n&amp; \u0007bell\u0000nul\u202Eevil\r\n';
