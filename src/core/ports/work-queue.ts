/** Slow work handed to the queue: a poll's repositories, and what interactions must not do while Slack waits. */
export interface WorkQueue {
  /**
   * One reconcile job per repository change; the same change queued twice is one job. Answers the job
   * ids, in the order given.
   */
  enqueueRepositories(due: readonly { repositoryKey: string; generation: string }[]): Promise<string[]>;
  /** PutImageTagMutability and everything after it, for one repository */
  enqueueFix(repositoryKey: string, actor: string): Promise<void>;
  /** mirror a suppression's new state onto findings, ticket and messages */
  enqueueSuppressionMirror(suppressionId: string): Promise<void>;
  /** end a suppression at its end date; survives restarts */
  scheduleSuppressionExpiry(suppressionId: string, at: Date): Promise<void>;
}
