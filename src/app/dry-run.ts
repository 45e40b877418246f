import type { Chat } from '../core/ports/chat.js';
import type { FindingsSource } from '../core/ports/findings-source.js';
import type { Logger } from '../core/ports/logger.js';
import type { RepositoryRegistry } from '../core/ports/repository-registry.js';
import type { TicketTracker } from '../core/ports/ticket-tracker.js';

interface WritablePorts {
  readonly findingsSource: FindingsSource;
  readonly registry: RepositoryRegistry;
  readonly tracker: TicketTracker;
  readonly chat: Chat;
}

/** What a control's fix would do, for the dry run's log line. */
const fixDescriptions: Readonly<Record<string, string>> = { 'ECR.2': 'make tags immutable' };

/**
 * HUBWARDEN_DRY_RUN: every read goes through, every write is logged as "would" and answered with a
 * plausible result, so the rest of the pipeline runs exactly as it would for real.
 */
export const dryRunPorts = (ports: WritablePorts, log: Logger): WritablePorts => {
  const would = (action: string, fields: object) =>
    log.info({ dryRun: true, ...fields }, `dry run: would ${action}`);
  let counter = 0;
  const fakeTs = () => `${Math.floor(Date.now() / 1000)}.${String((counter += 1)).padStart(6, '0')}`;
  return {
    findingsSource: {
      pages: (query) => ports.findingsSource.pages(query),
      updateWorkflow: async (update) => {
        would('update findings', {
          workflow: update.workflow,
          findings: update.findings.length,
          note: update.note,
        });
        return { processed: update.findings, unprocessed: [] };
      },
    },
    registry: {
      tags: (repository) => ports.registry.tags(repository),
      images: (repository) => ports.registry.images(repository),
      readSetting: (controlId, repository) => ports.registry.readSetting(controlId, repository),
      applyFix: async (controlId, repository) =>
        would(fixDescriptions[controlId] ?? `fix ${controlId}`, { repositoryArn: repository.arn }),
    },
    tracker: {
      findByLabels: (labels) => ports.tracker.findByLabels(labels),
      get: (key) => ports.tracker.get(key),
      findUserByEmail: (email) => ports.tracker.findUserByEmail(email),
      create: async (ticket) => {
        would('create ticket', { summary: ticket.summary, labels: ticket.labels, assignee: ticket.assignee });
        const key = `DRYRUN-${(counter += 1)}`;
        return {
          key,
          url: '',
          summary: ticket.summary,
          status: 'open',
          statusName: 'To Do',
          labels: ticket.labels,
          created: new Date().toISOString(),
        };
      },
      update: async (key) => would('update ticket', { ticket: key }),
      comment: async (key) => would('comment on ticket', { ticket: key }),
      transition: async (key, name) => would('transition ticket', { ticket: key, transition: name }),
    },
    chat: {
      postRepositoryCard: async (channel, card) => {
        would('post message', { channel, repositoryArn: card.repository.arn, phase: card.phase });
        return { channel, ts: fakeTs() };
      },
      findRepositoryCard: (channel, repositoryKey) => ports.chat.findRepositoryCard(channel, repositoryKey),
      isRepositoryCard: (ref, repositoryKey) => ports.chat.isRepositoryCard(ref, repositoryKey),
      repositoryCardAt: (ref, repositoryKey) => ports.chat.repositoryCardAt(ref, repositoryKey),
      updateRepositoryCard: async (ref, card) => would('update message', { ...ref, phase: card.phase }),
      postSuppressionReview: async (channel) => {
        would('post review message', { channel });
        return { channel, ts: fakeTs() };
      },
      findSuppressionReview: (channel, suppressionId, at) =>
        ports.chat.findSuppressionReview(channel, suppressionId, at),
      reviewCardAt: (ref, suppressionId) => ports.chat.reviewCardAt(ref, suppressionId),
      updateSuppressionReview: async (ref) => would('update review message', { ...ref }),
      notifyEphemeral: async (channel, user) => would('post ephemeral', { channel, user }),
      notify: async (channel) => {
        would('notify', { channel });
        return { channel, ts: fakeTs() };
      },
      userIdByEmail: (email) => ports.chat.userIdByEmail(email),
    },
  };
};
