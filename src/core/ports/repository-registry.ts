import type { ImageSummary, RepositoryRef } from '../model.js';

/** The container registry that holds the repositories (ECR), reached in each repository's own account. */
export interface RepositoryRegistry {
  /** the repository's resource tags (ListTagsForResource) */
  tags(repository: RepositoryRef): Promise<Record<string, string>>;
  /** every image with its tags (DescribeImages, all pages) */
  images(repository: RepositoryRef): Promise<ImageSummary[]>;
  /**
   * The repository's current setting for a control, as the registry names it (the control module judges
   * it); `undefined` when the repository no longer exists. A control the registry cannot read is refused.
   */
  readSetting(controlId: string, repository: RepositoryRef): Promise<string | undefined>;
  /** Applies a control's fix to the repository; a control the registry cannot fix is refused. */
  applyFix(controlId: string, repository: RepositoryRef): Promise<void>;
}
