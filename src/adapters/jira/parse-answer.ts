import type { z } from 'zod';
import { HubwardenError } from '../../core/errors.js';

/** Parses a Jira answer at the edge: a shape Jira should never send is a permanent, classified error. */
export const parseAnswer = <T>(schema: z.ZodType<T>, value: unknown, what: string): T => {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new HubwardenError(`Unexpected Jira answer for ${what}`, {
    kind: 'permanent',
    code: 'jira.unexpected_answer',
    service: 'jira',
    cause: result.error,
  });
};
