import type { RepositoryCard, SuppressionReviewCard } from '../../src/core/ports/chat.js';
import type { MessageContext, ReviewContext } from '../../src/core/ports/interactions.js';
import { repositoryKeyOf } from '../../src/core/repository-ref.js';
import type { Suppression } from '../../src/core/suppression.js';
import { createInteractions } from '../../src/core/use-cases/interactions.js';
import { reconcileRepository } from '../../src/core/use-cases/reconcile-repository.js';
import { ecr2Finding, repositoryArn, type Ecr2FindingInput } from '../fixtures/ecr2-findings.js';
import { FakeWorkQueue } from '../support/fake-work-queue.js';
import { harness, ingest, policyOf, type Harness } from './pipeline-harness.js';

/**
 * Two repositories with their tickets and messages already out (payments-api owned by `payments`,
 * search-api by `search`), and the interactions wired to a fake work queue: the starting point of
 * every chat-driven test.
 */
export const USERS = {
  owner: 'U0ALICE',
  otherOwner: 'U0BOB',
  reviewer: 'U0SECLEAD',
  secondReviewer: 'U0SECTWO',
  stranger: 'U0MALLORY',
} as const;

export const JUSTIFICATION = 'Vendor image: the vendor pipeline re-pushes latest every night.';

const A = { accountId: '111111111111', region: 'eu-west-1', repositoryName: 'team/payments-api' } as const;
const B = { accountId: '111111111111', region: 'eu-west-1', repositoryName: 'team/search-api' } as const;
export const arnA = repositoryArn(A.accountId, A.region, A.repositoryName);
export const keyA = repositoryKeyOf(arnA);
export const arnB = repositoryArn(B.accountId, B.region, B.repositoryName);
export const keyB = repositoryKeyOf(arnB);

const findingsOf = (base: Ecr2FindingInput, prefix: string, count: number, over: Partial<Ecr2FindingInput>) =>
  Array.from({ length: count }, (_, index) => ecr2Finding({ ...base, uuid: `${prefix}-${index}`, ...over }));

export interface ChatScenario {
  readonly h: Harness;
  readonly queue: FakeWorkQueue;
  readonly interactions: ReturnType<typeof createInteractions>;
  /** a press on repository A's own message (or another repository's, with `key`) */
  context(actor: string, key?: string): Promise<MessageContext>;
  /**
   * Opens the Suppress form as `actor` and submits it at once, each time a new form (view), unless
   * `form` says which view it is and what token it carries (an old or replayed form).
   */
  submit(
    actor: string,
    justification?: string,
    expires?: string,
    form?: { readonly viewId?: string; readonly formToken?: string },
  ): ReturnType<ChatScenario['interactions']['submitSuppression']>;
  /** the token of the Suppress form `actor` opens now on repository A (undefined when refused) */
  formToken(actor: string): Promise<string | undefined>;
  /** a press on the suppression's review message */
  review(suppressionId: string, actor: string): Promise<ReviewContext>;
  suppressions(): Promise<Suppression[]>;
  only(): Promise<Suppression>;
  /** Security Hub gets these findings of repository A, as a poll would store them */
  ingestA(count: number, over?: Partial<Ecr2FindingInput>): Promise<void>;
  card(): Promise<RepositoryCard>;
  reviewCard(suppressionId: string): Promise<SuppressionReviewCard>;
  /** everything a refusal must leave alone */
  snapshot(): Promise<string>;
}

export const chatScenario = async (
  options: {
    requireApproval?: boolean;
    inline?: boolean;
    findings?: number;
    reviewers?: readonly string[];
  } = {},
): Promise<ChatScenario> => {
  const base = policyOf();
  const h = harness({
    policy: policyOf({
      securityReviewers: options.reviewers ?? [USERS.reviewer, USERS.secondReviewer],
      suppression: { ...base.suppression, requireApproval: options.requireApproval ?? false },
    }),
  });
  h.registry.set(arnA, {
    tags: { Owner: 'payments' },
    images: [{ digest: 'sha256:1', tags: ['latest', 'v1'], pushedAt: undefined }],
  });
  h.registry.set(arnB, { tags: { Owner: 'search' } });

  const ingestA = (count: number, over: Partial<Ecr2FindingInput> = {}) =>
    ingest(h, findingsOf(A, 'a', count, over));
  await ingestA(options.findings ?? 2);
  await ingest(h, findingsOf(B, 'b', 1, {}));
  await reconcileRepository(h.deps, keyA);
  await reconcileRepository(h.deps, keyB);

  const queue = new FakeWorkQueue(h.deps, { inline: options.inline ?? false });
  const interactions = createInteractions(h.deps, queue);

  const messageOf = async (key: string) => {
    const message = (await h.state.getRecord(key))?.message;
    if (!message) throw new Error(`repository ${key} has no message`);
    return message;
  };
  const context = async (actor: string, key = keyA): Promise<MessageContext> => {
    const message = await messageOf(key);
    return { actor, channel: message.channel, messageTs: message.ts, claimedRepositoryKey: key };
  };
  const suppressions = () => h.state.listSuppressions();
  let views = 0;
  const tokenOf = async (actor: string): Promise<string | undefined> => {
    const form = await interactions.suppressForm(await context(actor));
    return form.ok ? form.formToken : undefined;
  };
  const viewed = async (ref: { channel: string; ts: string }) =>
    h.chat.messages.get(`${ref.channel}:${ref.ts}`);

  return {
    h,
    queue,
    interactions,
    context,
    submit: async (actor, justification = JUSTIFICATION, expires = undefined, form = {}) => {
      const pressed = await context(actor);
      const formToken = form.formToken ?? (await tokenOf(actor));
      views += 1;
      return interactions.submitSuppression({
        ...pressed,
        justification,
        expires,
        formToken,
        viewId: form.viewId ?? `V0FORM${views}`,
      });
    },
    formToken: tokenOf,
    review: async (suppressionId, actor) => {
      const message = (await h.state.getSuppression(suppressionId))?.reviewMessage;
      if (!message) throw new Error(`suppression ${suppressionId} has no review message`);
      return { actor, suppressionId, channel: message.channel, messageTs: message.ts };
    },
    suppressions,
    only: async () => {
      const all = await suppressions();
      if (all.length !== 1 || !all[0]) throw new Error(`expected one suppression, found ${all.length}`);
      return all[0];
    },
    ingestA,
    card: async () => {
      const card = await viewed(await messageOf(keyA));
      if (!card || typeof card === 'string' || !('phase' in card)) throw new Error('no repository card');
      return card;
    },
    reviewCard: async (suppressionId) => {
      const ref = (await h.state.getSuppression(suppressionId))?.reviewMessage;
      const card = ref && (await viewed(ref));
      if (!card || typeof card === 'string' || 'phase' in card) throw new Error('no review card');
      return card;
    },
    snapshot: async () =>
      JSON.stringify({
        writes: h.outsideWrites().length,
        queue: queue.calls.length,
        suppressions: await suppressions(),
        records: [await h.state.getRecord(keyA), await h.state.getRecord(keyB)],
        findings: [await h.state.findingsOf(keyA), await h.state.findingsOf(keyB)],
      }),
  };
};
