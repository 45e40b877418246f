import type { Sandbox } from '../test/standins/sandbox.js';

/** Something a person would have seen in Jira or Slack, and when the stand-in saw it happen. */
export interface SandboxEvent {
  readonly at: number;
  readonly source: 'jira' | 'slack';
  readonly text: string;
}

export interface SandboxWatcher {
  /** prints, in the order they happened, the events not printed yet */
  flush(): void;
  stop(): void;
}

/**
 * Prints tickets and messages as the stand-ins receive them, in the order they happened (each event
 * carries the stand-in's own time, so a Jira change and a Slack post seen by the same look are sorted).
 */
export const watchSandbox = (
  sandbox: Sandbox,
  print: (event: SandboxEvent) => void,
  intervalMs = 100,
): SandboxWatcher => {
  const statuses = new Map<string, string>();
  const versions = new Map<string, number>();
  const firstLine = (text: string | undefined) => (text ?? '').split('\n')[0] ?? '';

  const flush = () => {
    const events: SandboxEvent[] = [];
    for (const issue of sandbox.jira.issues.values()) {
      const previous = statuses.get(issue.key);
      if (previous === undefined) {
        events.push({
          at: issue.createdMs,
          source: 'jira',
          text: `${issue.key} opened for ${issue.assignee?.displayName ?? 'nobody (unassigned)'}: ${issue.summary}`,
        });
        if (issue.statusChangedMs !== undefined)
          events.push({
            at: issue.statusChangedMs,
            source: 'jira',
            text: `${issue.key} → ${issue.status.name}`,
          });
      } else if (previous !== issue.status.name) {
        events.push({
          at: issue.statusChangedMs ?? Date.now(),
          source: 'jira',
          text: `${issue.key} ${previous} → ${issue.status.name}`,
        });
      }
      statuses.set(issue.key, issue.status.name);
    }
    for (const message of sandbox.slack.messages) {
      const id = `${message.channel}/${message.ts}`;
      const seen = versions.get(id) ?? 0;
      message.versions.slice(seen).forEach((version, index) => {
        events.push({
          at: version.at ?? Date.now(),
          source: 'slack',
          text: `${message.channel} ${seen + index === 0 ? 'posted' : 'updated'}: ${firstLine(version.text)}`,
        });
      });
      versions.set(id, message.versions.length);
    }
    events.sort((a, b) => a.at - b.at);
    for (const event of events) print(event);
  };

  const timer = setInterval(flush, intervalMs);
  return {
    flush,
    stop: () => {
      clearInterval(timer);
      flush();
    },
  };
};
