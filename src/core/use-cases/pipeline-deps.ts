import type { ControlModule } from '../controls/control.js';
import type { RetryBackoff } from '../failures/provider-failures.js';
import type { OwnersPolicy } from '../owners/owners-policy.js';
import type { Chat } from '../ports/chat.js';
import type { FindingsSource } from '../ports/findings-source.js';
import type { Logger } from '../ports/logger.js';
import type { RepositoryRegistry } from '../ports/repository-registry.js';
import type { StateStore } from '../ports/state-store.js';
import type { TicketTracker } from '../ports/ticket-tracker.js';
import type { JiraDeployment } from '../tickets/ticket-content.js';

export interface PipelineSettings {
  readonly jiraDeployment: JiraDeployment;
  readonly transitions: { readonly done: string; readonly suppressed: string; readonly reopen: string };
  /** digest of the configuration: a change makes every repository worth another look */
  readonly configVersion: string;
  readonly ownerCacheTtlMs: number;
  readonly riskCacheTtlMs: number;
  readonly reviewChannel: string | undefined;
  /** when a repository whose work failed for good is tried again */
  readonly retryBackoff: RetryBackoff;
}

/** Everything the use cases need, wired once by the composition root. */
export interface PipelineDeps {
  readonly control: ControlModule;
  readonly findingsSource: FindingsSource;
  readonly registry: RepositoryRegistry;
  readonly tracker: TicketTracker;
  /** absent when chat is not configured (e.g. `scan`) */
  readonly chat: Chat | undefined;
  readonly state: StateStore;
  readonly policy: OwnersPolicy;
  readonly settings: PipelineSettings;
  readonly clock: () => Date;
  readonly log: Logger;
}
