/** An answer of a stand-in route. */
export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Jira's error body: `{ errorMessages: [...], errors: { field: message } }`. */
export const jiraError = (
  status: number,
  messages: string[],
  errors: Record<string, string> = {},
): Reply => ({
  status,
  body: { errorMessages: messages, errors },
});

export const json = (body: unknown, status = 200): Reply => ({ status, body });

export const noContent = (): Reply => ({ status: 204 });
