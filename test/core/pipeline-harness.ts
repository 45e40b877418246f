import { ecr2TagImmutability } from '../../src/core/controls/ecr2-tag-immutability.js';
import { parseFinding } from '../../src/core/findings/parse-finding.js';
import type { Owner } from '../../src/core/model.js';
import type { OwnersPolicy } from '../../src/core/owners/owners-policy.js';
import { silentLogger } from '../../src/core/ports/logger.js';
import type { PipelineDeps, PipelineSettings } from '../../src/core/use-cases/pipeline-deps.js';
import {
  FakeChat,
  FakeFindingsSource,
  FakeRepositoryRegistry,
  FakeTicketTracker,
  manualClock,
  type FakeTicketTrackerOptions,
} from '../support/fake-ports.js';
import { MemoryStateStore } from '../support/memory-state-store.js';

export const owner = (name: string, over: Partial<Owner> = {}): Owner => ({
  name,
  jiraAccountId: `acc-${name}`,
  jiraUser: `user-${name}`,
  slackChannel: `C0${name.toUpperCase()}`,
  slackUsers: ['U0ALICE'],
  email: undefined,
  ...over,
});

export const policyOf = (over: Partial<OwnersPolicy> = {}): OwnersPolicy => ({
  ownerTags: ['Owner', 'Team'],
  owners: new Map([
    ['payments', owner('payments')],
    ['search', owner('search', { slackUsers: ['U0BOB'] })],
  ]),
  accounts: new Map([['222222222222', 'search']]),
  defaultOwner: owner('default', { slackChannel: 'C0SECURITY', slackUsers: ['U0SECLEAD'] }),
  securityReviewers: ['U0SECLEAD'],
  allowedEmailDomains: ['example.com'],
  suppression: {
    minJustificationLength: 20,
    maxJustificationLength: 2000,
    maxDays: 90,
    defaultDays: 30,
    requireApproval: false,
  },
  ...over,
});

export const SETTINGS: PipelineSettings = {
  jiraDeployment: 'cloud',
  transitions: { done: 'Done', suppressed: 'Suppressed', reopen: 'To Do' },
  configVersion: 'v1',
  ownerCacheTtlMs: 3_600_000,
  riskCacheTtlMs: 3_600_000,
  reviewChannel: 'C0REVIEW',
  retryBackoff: { baseMs: 300_000, capMs: 900_000 },
};

export interface Harness {
  readonly deps: PipelineDeps;
  readonly source: FakeFindingsSource;
  readonly registry: FakeRepositoryRegistry;
  readonly tracker: FakeTicketTracker;
  readonly chat: FakeChat;
  readonly state: MemoryStateStore;
  readonly time: ReturnType<typeof manualClock>;
  /** every call that changed the outside world (Security Hub, Jira, Slack) */
  outsideWrites(): unknown[];
}

export const harness = (
  options: {
    policy?: OwnersPolicy;
    settings?: Partial<PipelineSettings>;
    tracker?: Omit<FakeTicketTrackerOptions, 'clock'>;
    chatUsers?: Record<string, string>;
    pageSize?: number;
    start?: string;
  } = {},
): Harness => {
  const time = manualClock(options.start);
  const source = new FakeFindingsSource(options.pageSize ? { pageSize: options.pageSize } : {});
  const registry = new FakeRepositoryRegistry();
  const tracker = new FakeTicketTracker({ ...options.tracker, clock: time.clock });
  const chat = new FakeChat(options.chatUsers ? { users: options.chatUsers } : {});
  const state = new MemoryStateStore({ clock: time.clock });
  const deps: PipelineDeps = {
    control: ecr2TagImmutability,
    findingsSource: source,
    registry,
    tracker,
    chat,
    state,
    policy: options.policy ?? policyOf(),
    settings: { ...SETTINGS, ...options.settings },
    clock: time.clock,
    log: silentLogger,
  };
  return {
    deps,
    source,
    registry,
    tracker,
    chat,
    state,
    time,
    outsideWrites: () => [...source.updates, ...tracker.writes(), ...chat.writes()],
  };
};

/** Security Hub has these findings, and a poll already stored them. */
export const ingest = async (h: Harness, raws: Record<string, unknown>[]): Promise<void> => {
  h.source.put(...raws);
  await h.state.mergeFindings(
    raws.map((raw) => {
      const parsed = parseFinding(raw, 'ECR.2');
      if (!parsed.ok) throw new Error(parsed.detail);
      return parsed.finding;
    }),
  );
};
