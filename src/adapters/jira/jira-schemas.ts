import { z } from 'zod';

/** The parts of Jira's answers this adapter reads, validated where they enter. Unknown fields pass. */
const statusSchema = z.object({
  name: z.string(),
  statusCategory: z.object({ key: z.string() }),
});

export const issueSchema = z.object({
  id: z.string(),
  key: z.string(),
  fields: z.object({
    summary: z.string().nullish(),
    status: statusSchema,
    labels: z.array(z.string()).nullish(),
    created: z.string().nullish(),
  }),
});
export type JiraIssue = z.infer<typeof issueSchema>;

export const createdIssueSchema = z.object({ id: z.string(), key: z.string() });

/** Cloud `POST /rest/api/3/search/jql`: `nextPageToken` is absent on the last page. */
export const cloudSearchPageSchema = z.object({
  issues: z.array(issueSchema),
  nextPageToken: z.string().nullish(),
  isLast: z.boolean().optional(),
});

/** Data Center `POST /rest/api/2/search`: offset paging. */
export const datacenterSearchPageSchema = z.object({
  startAt: z.number(),
  maxResults: z.number(),
  total: z.number(),
  issues: z.array(issueSchema),
});

export const transitionsSchema = z.object({
  transitions: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      to: statusSchema,
      /** the transition screen's fields (with `expand=transitions.fields`) */
      fields: z.record(z.string(), z.object({ required: z.boolean() })).optional(),
    }),
  ),
});

export const userSchema = z.object({
  accountId: z.string().optional(),
  name: z.string().optional(),
  emailAddress: z.string().optional(),
  displayName: z.string().optional(),
  active: z.boolean().optional(),
});
export const usersSchema = z.array(userSchema);
