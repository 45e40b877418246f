/** What each queue's jobs carry: the only part of the BullMQ adapter the thin processors see. */
export interface RepositoryJobData {
  readonly repositoryKey: string;
}
export interface PollJobData {
  readonly mode: 'full' | 'incremental' | 'auto';
  /** `all`: retry every repository whose work failed for good now, whatever its backoff */
  readonly retryFailed?: 'due' | 'all';
}
export interface RemediationJobData {
  readonly repositoryKey: string;
  readonly actor: string;
}
/** The job's name says why it runs (`mirror` or `expire`); both come down to the same mirroring. */
export interface SuppressionJobData {
  readonly suppressionId: string;
}
