/** Slack's interaction payloads, parsed at the edge: handlers see only these shapes. */
import { z } from 'zod';

import { EXPIRES_BLOCK_ID, INPUT_ACTION_ID, JUSTIFICATION_BLOCK_ID } from './slack-ids.js';

const blockActionsSchema = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: z.string().min(1) }),
  trigger_id: z.string().min(1),
  channel: z.object({ id: z.string().min(1) }).optional(),
  container: z.object({ message_ts: z.string().optional(), channel_id: z.string().optional() }).optional(),
  message: z.object({ ts: z.string().min(1) }).optional(),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().optional() })).min(1),
});

/** A button pressed in a message. */
export interface ButtonPress {
  readonly actionId: string;
  readonly actor: string;
  readonly channel: string;
  readonly messageTs: string;
  readonly value: string;
  readonly triggerId: string;
}

export const parseButtonPress = (body: unknown): ButtonPress | undefined => {
  const parsed = blockActionsSchema.safeParse(body);
  if (!parsed.success) return undefined;
  const { user, trigger_id: triggerId, channel, container, message, actions } = parsed.data;
  const [action] = actions;
  const channelId = channel?.id ?? container?.channel_id;
  const messageTs = container?.message_ts ?? message?.ts;
  if (!action || channelId === undefined || messageTs === undefined) return undefined;
  return {
    actionId: action.action_id,
    actor: user.id,
    channel: channelId,
    messageTs,
    value: action.value ?? '',
    triggerId,
  };
};

/** What the Suppress modal carries from the message it was opened on. */
export interface SuppressModalMetadata {
  readonly channel: string;
  readonly messageTs: string;
  readonly repositoryKey: string;
  /** the failures the form was opened for (checked again by the core at submit time) */
  readonly formToken?: string;
}

const metadataSchema = z.object({
  channel: z.string().min(1),
  messageTs: z.string().min(1),
  repositoryKey: z.string(),
  formToken: z.string().max(100).optional(),
});

const stateValueSchema = z.object({
  type: z.string(),
  value: z.string().nullish(),
  selected_date: z.string().nullish(),
});

const viewSubmissionSchema = z.object({
  type: z.literal('view_submission'),
  user: z.object({ id: z.string().min(1) }),
  view: z.object({
    id: z.string().min(1),
    callback_id: z.string(),
    private_metadata: z.string(),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), stateValueSchema)) }),
  }),
});

export interface SuppressSubmission extends SuppressModalMetadata {
  /** Slack's id of the submitted view */
  readonly viewId: string;
  readonly actor: string;
  readonly justification: string;
  readonly expires: string | undefined;
}

export const parseSuppressSubmission = (body: unknown): SuppressSubmission | undefined => {
  const parsed = viewSubmissionSchema.safeParse(body);
  if (!parsed.success) return undefined;
  const { user, view } = parsed.data;
  let metadata: unknown;
  try {
    metadata = JSON.parse(view.private_metadata);
  } catch {
    return undefined;
  }
  const origin = metadataSchema.safeParse(metadata);
  if (!origin.success) return undefined;
  const values = view.state.values;
  const justification = values[JUSTIFICATION_BLOCK_ID]?.[INPUT_ACTION_ID]?.value ?? '';
  const expires = values[EXPIRES_BLOCK_ID]?.[INPUT_ACTION_ID]?.selected_date ?? undefined;
  return { ...origin.data, viewId: view.id, actor: user.id, justification, expires };
};

const homeOpenedSchema = z.object({
  type: z.literal('app_home_opened'),
  user: z.string().min(1),
  tab: z.string().optional(),
});

/** The user whose Home tab was opened, or undefined for the Messages tab or a malformed event. */
export const parseHomeOpened = (event: unknown): string | undefined => {
  const parsed = homeOpenedSchema.safeParse(event);
  return parsed.success && (parsed.data.tab ?? 'home') === 'home' ? parsed.data.user : undefined;
};
