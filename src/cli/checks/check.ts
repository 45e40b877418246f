import { isHubwardenError } from '../../core/errors.js';

/** One line of `check-config`: `run` answers what it found, or throws (a `CheckFailure` says how to fix it). */
export interface Check {
  readonly name: string;
  readonly run: () => Promise<string>;
  /** a check whose failure makes this one pointless: it then reports that instead of the same error again */
  readonly needs?: string;
}

/** A failed check with the operator's fix. */
export class CheckFailure extends Error {
  override readonly name = 'CheckFailure';
  constructor(
    readonly what: string,
    readonly fix: string,
  ) {
    super(what);
  }
}

export const failCheck = (what: string, fix: string): never => {
  throw new CheckFailure(what, fix);
};

/** Fixes for provider errors any check can meet, by error code (never by message text). */
const FIXES: Readonly<Record<string, string>> = {
  'jira.unauthorized':
    'check JIRA_EMAIL and JIRA_API_TOKEN (Cloud) or JIRA_PAT (Data Center), and that JIRA_BASE_URL is the API base',
  'jira.forbidden': "give hubwarden's Jira user access to the project",
  'jira.network': 'check JIRA_BASE_URL and that this host can reach it (proxy, firewall)',
  'jira.timeout': 'check JIRA_BASE_URL and that this host can reach it (proxy, firewall)',
  'slack.invalid_auth': 'set SLACK_BOT_TOKEN to the Bot User OAuth Token (xoxb-...) of the installed app',
  'slack.not_authed': 'set SLACK_BOT_TOKEN to the Bot User OAuth Token (xoxb-...) of the installed app',
  'slack.account_inactive': 'reinstall the Slack app and set the new SLACK_BOT_TOKEN',
  'slack.token_revoked': 'reinstall the Slack app and set the new SLACK_BOT_TOKEN',
  'sts.access_denied': 'give the base credentials the permissions in deploy/aws/',
};

const fixOf = (error: unknown): string | undefined => {
  if (error instanceof CheckFailure) return error.fix;
  if (!isHubwardenError(error)) return undefined;
  const fallback =
    error.service === 'sts' && error.kind === 'permanent' ? FIXES['sts.access_denied'] : undefined;
  return FIXES[error.code] ?? fallback;
};

/** `OK <name>: <what>` or `FAIL <name>: <what> - <fix>`. */
export const okLine = (name: string, what: string): string => `OK ${name}: ${what}`;

export const failLine = (name: string, error: unknown): string => {
  const what = error instanceof Error ? error.message : String(error);
  const fix = fixOf(error);
  return `FAIL ${name}: ${what.replace(/\s+/g, ' ').trim()}${fix ? ` - ${fix}` : ''}`;
};
