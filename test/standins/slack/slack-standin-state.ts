/** What the Slack stand-in remembers, inspectable by tests and the demo. */

export interface MessageVersion {
  readonly text: string | undefined;
  readonly blocks: readonly unknown[] | undefined;
  /** when the stand-in stored this version (its clock, ms) */
  readonly at?: number;
}

export interface StoredMessage {
  readonly channel: string;
  readonly ts: string;
  text: string | undefined;
  blocks: readonly unknown[] | undefined;
  /** every version, the posted one first, then one per `chat.update` */
  readonly versions: MessageVersion[];
  /** Slack message metadata (`event_type`, `event_payload`), as posted */
  readonly metadata?: unknown;
}

export interface StoredEphemeral {
  readonly channel: string;
  readonly user: string;
  readonly messageTs: string;
  readonly text: string | undefined;
  readonly blocks: readonly unknown[] | undefined;
}

export interface StoredView {
  readonly id: string;
  readonly kind: 'modal' | 'home';
  /** home: whose Home tab; modal: undefined */
  readonly userId: string | undefined;
  readonly triggerId: string | undefined;
  readonly view: Record<string, unknown>;
}

export interface StandInUser {
  readonly id: string;
  readonly email: string;
  readonly name?: string;
}

export interface RecordedCall {
  readonly method: string;
  readonly params: Record<string, unknown>;
  readonly at: number;
}

/** A scripted failure for the next calls of a method. */
export type Fault =
  | { readonly status: 429; readonly retryAfterSeconds?: number }
  | { readonly status: 500 | 502 | 503 }
  | { readonly error: string }
  /** answers normally, this much later (the call is served even if the caller has gone) */
  | { readonly delayMs: number };

export interface RateLimit {
  /** sustained `chat.postMessage` rate per channel (Slack: about 1 per second) */
  readonly perSecond: number;
  /** short burst allowed above it */
  readonly burst: number;
}
