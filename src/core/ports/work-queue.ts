/** Slow work that interactions hand to the queue instead of doing while Slack waits. */
export interface WorkQueue {
  /** PutImageTagMutability and everything after it, for one repository */
  enqueueFix(repositoryKey: string, actor: string): Promise<void>;
  /** mirror a suppression's new state onto findings, ticket and messages */
  enqueueSuppressionMirror(suppressionId: string): Promise<void>;
  /** end a suppression at its end date; survives restarts */
  scheduleSuppressionExpiry(suppressionId: string, at: Date): Promise<void>;
}
