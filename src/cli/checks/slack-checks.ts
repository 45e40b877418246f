import type { SlackIdentity } from '../../adapters/slack/slack-chat.js';
import type { Service } from '../../app/composition-root.js';
import { isHubwardenError } from '../../core/errors.js';
import { failCheck, type Check } from './check.js';

/** Bot scopes hubwarden's features need (deploy/slack-app-manifest.yml), with what for. */
const SLACK_SCOPES: Readonly<Record<string, string>> = {
  'chat:write': 'post and update messages',
  'channels:history': 'find a card again in a public channel',
  'groups:history': 'find a card again in a private channel',
  'im:write': 'message owners named by e-mail',
  'im:history': 'find a card again in a direct message',
  'users:read': 'resolve e-mail owners',
  'users:read.email': 'resolve e-mail owners',
  'channels:read': 'check membership of public channels',
  'groups:read': 'check membership of private channels',
};

const isUserId = (channel: string): boolean => /^[UW][A-Z0-9]+$/.test(channel);

const MANIFEST_FIX =
  'add them to the app (OAuth & Permissions > Bot Token Scopes, or deploy/slack-app-manifest.yml), reinstall it and set the new SLACK_BOT_TOKEN';

/** Slack: the token, its scopes, and the bot's membership of every channel it will post in. */
export const slackChecks = (service: Service): Check[] => {
  const { env, policy } = service.config;
  let identity: Promise<SlackIdentity> | undefined;
  const whoAmI = () => (identity ??= service.slack.identity());
  const channels = [
    ...new Set(
      [policy.defaultOwner, ...policy.owners.values()]
        .map((owner) => owner.slackChannel)
        .filter((channel): channel is string => channel !== undefined && !isUserId(channel)),
    ),
  ].sort();
  const roles = (channel: string): string =>
    channel === env.SLACK_REVIEW_CHANNEL ? 'SLACK_REVIEW_CHANNEL' : 'owners file';

  const membership = (channel: string): Check => ({
    name: `slack channel ${channel}`,
    needs: 'slack',
    run: async () => {
      const scopes = (await whoAmI()).scopes ?? [];
      let info;
      try {
        info = await service.slack.channelInfo(channel);
      } catch (error) {
        if (!isHubwardenError(error)) throw error;
        if (error.code === 'slack.channel_not_found')
          return failCheck(
            `channel ${channel} (${roles(channel)}) does not exist or is private without the bot`,
            `check the channel id, or invite the bot: /invite @hubwarden in that channel`,
          );
        if (error.code === 'slack.missing_scope')
          return failCheck(
            `cannot read channel ${channel}: the token lacks channels:read or groups:read`,
            MANIFEST_FIX,
          );
        throw error;
      }
      const label = `#${info.name ?? channel} (${roles(channel)})`;
      if (info.isArchived) return failCheck(`${label} is archived`, `unarchive it, or name another channel`);
      if (info.isMember) return `the bot is a member of ${label}`;
      if (!info.isPrivate && scopes.includes('chat:write.public'))
        return `the bot is not a member of ${label} but may post there (chat:write.public)`;
      return failCheck(
        `the bot is not a member of ${label}`,
        `invite it: /invite @hubwarden in #${info.name ?? channel}${info.isPrivate ? '' : ' (or add the chat:write.public scope)'}`,
      );
    },
  });

  return [
    {
      name: 'slack',
      run: async () => {
        const me = await whoAmI();
        return `auth.test ok (team ${me.teamId}, bot user ${me.userId})`;
      },
    },
    {
      name: 'slack scopes',
      needs: 'slack',
      run: async () => {
        const { scopes } = await whoAmI();
        if (scopes === undefined) return 'Slack reported no scopes (x-oauth-scopes); not verified';
        const missing = Object.keys(SLACK_SCOPES).filter((scope) => !scopes.includes(scope));
        if (missing.length === 0) return `${Object.keys(SLACK_SCOPES).length} needed scopes held`;
        return failCheck(
          `the token lacks ${missing.map((scope) => `${scope} (${SLACK_SCOPES[scope]})`).join(', ')}`,
          MANIFEST_FIX,
        );
      },
    },
    ...[...new Set([...channels, env.SLACK_REVIEW_CHANNEL])].map(membership),
  ];
};
