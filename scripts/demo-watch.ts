import type { Sandbox } from '../test/standins/sandbox.js';

/** Prints tickets and messages as the stand-ins receive them: what a person would see in Jira and Slack. */
export const watchSandbox = (sandbox: Sandbox, say: (line: string) => void): { stop: () => void } => {
  const statuses = new Map<string, string>();
  const versions = new Map<string, number>();
  const firstLine = (text: string | undefined) => (text ?? '').split('\n')[0]?.slice(0, 110) ?? '';
  const tick = () => {
    for (const issue of sandbox.jira.issues.values()) {
      const previous = statuses.get(issue.key);
      if (previous === undefined) {
        say(
          `jira   ${issue.key} opened: ${issue.summary.slice(0, 90)} → ${issue.assignee?.displayName ?? 'unassigned'}`,
        );
      } else if (previous !== issue.status.name) {
        say(`jira   ${issue.key} ${previous} → ${issue.status.name}`);
      }
      statuses.set(issue.key, issue.status.name);
    }
    for (const message of sandbox.slack.messages) {
      const id = `${message.channel}/${message.ts}`;
      const seen = versions.get(id);
      if (seen === undefined) say(`slack  ${message.channel} posted: ${firstLine(message.text)}`);
      else if (seen !== message.versions.length)
        say(`slack  ${message.channel} updated: ${firstLine(message.text)}`);
      versions.set(id, message.versions.length);
    }
  };
  const timer = setInterval(tick, 200);
  return { stop: () => clearInterval(timer) };
};
