import type { RepositoryRecord } from '../../src/core/ports/state-store.js';
import type { Suppression } from '../../src/core/suppression.js';
import { REVIEW_CHANNEL, SANDBOX_SECRETS, SECURITY_REVIEWERS, type Sandbox } from '../standins/sandbox.js';
import {
  buildBlockActionsPayload,
  buildViewSubmissionPayload,
  datepickerValue,
  plainTextInputValue,
  postInteraction,
} from '../standins/slack/index.js';
import { waitFor } from '../support/wait-for.js';

const DAY = 86_400_000;

/** People pressing buttons on a running service's Slack endpoint, signed as Slack signs them. */
export const slackPresses = (sandbox: Sandbox, port: number) => {
  const url = `http://127.0.0.1:${port}/slack/events`;
  const deliver = async (payload: unknown) => {
    const answer = await postInteraction(url, SANDBOX_SECRETS.signingSecret, payload);
    if (answer.status !== 200) throw new Error(`Slack delivery answered ${answer.status}`);
    return answer;
  };
  return {
    /** the owner presses Suppress on the repository's message and submits a justification */
    suppress: async (record: RepositoryRecord, justification: string, days = 20) => {
      const actor = record.owner?.slackUsers[0] ?? SECURITY_REVIEWERS[0] ?? '';
      const message = record.message;
      if (!message) throw new Error(`${record.repository.arn} has no message`);
      const opened = sandbox.slack.views.length;
      await deliver(
        buildBlockActionsPayload({
          actionId: 'hubwarden.suppress',
          value: record.repository.key,
          userId: actor,
          channelId: message.channel,
          messageTs: message.ts,
          triggerId: sandbox.slack.issueTriggerId(),
        }),
      );
      const modal = await waitFor('the Suppress modal', () =>
        sandbox.slack.views
          .slice(opened)
          .find((view) => view.kind === 'modal' && view.view['callback_id'] === 'hubwarden.suppress'),
      );
      await deliver(
        buildViewSubmissionPayload({
          callbackId: 'hubwarden.suppress',
          privateMetadata: String(modal.view['private_metadata']),
          // Slack names each opened view; a form submitted twice has one id
          viewId: modal.id,
          userId: actor,
          values: {
            justification: { value: plainTextInputValue(justification) },
            expires: { value: datepickerValue(new Date(Date.now() + days * DAY).toISOString().slice(0, 10)) },
          },
        }),
      );
      return actor;
    },
    /** a security reviewer other than the requester presses Approve on the review message */
    approve: async (suppression: Suppression) => {
      const review = suppression.reviewMessage;
      if (!review || review.channel !== REVIEW_CHANNEL)
        throw new Error(`${suppression.id} has no review message`);
      const reviewer = SECURITY_REVIEWERS.find((id) => id !== suppression.requestedBy) ?? '';
      await deliver(
        buildBlockActionsPayload({
          actionId: 'hubwarden.approve',
          value: suppression.id,
          userId: reviewer,
          channelId: review.channel,
          messageTs: review.ts,
          triggerId: sandbox.slack.issueTriggerId(),
        }),
      );
      return reviewer;
    },
  };
};
