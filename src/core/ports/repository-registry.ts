import type { ImageSummary, RepositoryRef, TagMutability } from '../model.js';

/** The container registry that holds the repositories (ECR), reached in each repository's own account. */
export interface RepositoryRegistry {
  /** the repository's resource tags (ListTagsForResource) */
  tags(repository: RepositoryRef): Promise<Record<string, string>>;
  /** every image with its tags (DescribeImages, all pages) */
  images(repository: RepositoryRef): Promise<ImageSummary[]>;
  /** current setting (DescribeRepositories); `undefined` when the repository no longer exists */
  tagMutability(repository: RepositoryRef): Promise<TagMutability | undefined>;
  /** PutImageTagMutability IMMUTABLE */
  makeImmutable(repository: RepositoryRef): Promise<void>;
}
