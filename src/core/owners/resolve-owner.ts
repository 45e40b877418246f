import type { Finding, OwnerResolution, RepositoryRef } from '../model.js';
import type { PipelineDeps } from '../use-cases/pipeline-deps.js';
import { chooseOwner, fallbackOwner } from './choose-owner.js';

type OwnerDeps = Pick<PipelineDeps, 'registry' | 'tracker' | 'chat' | 'state' | 'policy' | 'settings'>;

/** The repository's tags: its registry tags over any the findings carry. Cached across processes. */
/** Registry tags over the tags the findings carry: the registry is the newer word. */
export const mergeTags = (
  findings: readonly Finding[],
  registryTags: Readonly<Record<string, string>>,
): Record<string, string> => ({
  ...(Object.assign({}, ...findings.map((finding) => finding.resourceTags)) as Record<string, string>),
  ...registryTags,
});

export const repositoryTags = async (
  deps: OwnerDeps,
  repository: RepositoryRef,
  findings: readonly Finding[],
): Promise<Record<string, string>> => {
  const fromRegistry = await deps.state.cached('tags', repository.key, deps.settings.ownerCacheTtlMs, () =>
    deps.registry.tags(repository),
  );
  return mergeTags(findings, fromRegistry);
};

/**
 * The owner by the owners file's rules (owner tags, then `accounts`, then `defaultOwner`), with e-mail
 * owners looked up in the tracker and the chat directory.
 */
export const resolveOwner = async (
  deps: OwnerDeps,
  repository: RepositoryRef,
  tags: Readonly<Record<string, string>>,
): Promise<OwnerResolution> => {
  const choice = chooseOwner(tags, repository.accountId, deps.policy);
  if (choice.kind === 'resolved') return choice.resolution;
  const person = await deps.state.cached(
    'email-owner',
    choice.email,
    deps.settings.ownerCacheTtlMs,
    async () => {
      const assignee = await deps.tracker.findUserByEmail(choice.email);
      const chatUser = deps.chat ? await deps.chat.userIdByEmail(choice.email) : undefined;
      return { accountId: assignee?.accountId, userName: assignee?.userName, chatUser };
    },
  );
  if (!person.accountId && !person.userName && !person.chatUser) {
    return fallbackOwner(
      repository.accountId,
      deps.policy,
      ` (tag ${choice.tagKey}=${choice.email} is no known user)`,
    ).resolution;
  }
  return {
    rule: 'email-tag',
    detail: `tag ${choice.tagKey}=${choice.email}`,
    owner: {
      name: choice.email,
      email: choice.email,
      jiraAccountId: person.accountId,
      jiraUser: person.userName,
      slackChannel: person.chatUser,
      slackUsers: person.chatUser ? [person.chatUser] : [],
    },
  };
};
