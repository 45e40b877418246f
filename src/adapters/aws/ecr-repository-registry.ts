import {
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  ListTagsForResourceCommand,
  PutImageTagMutabilityCommand,
} from '@aws-sdk/client-ecr';
import type { ECRClientConfig } from '@aws-sdk/client-ecr';

import { HubwardenError, isHubwardenError } from '../../core/errors.js';
import type { ImageSummary, RepositoryRef, TagMutability } from '../../core/model.js';
import type { RepositoryRegistry } from '../../core/ports/repository-registry.js';
import { classifyAwsError } from './classify-aws-error.js';
import type { MemberCredentials } from './member-credentials.js';

export interface EcrRepositoryRegistryOptions {
  /** credentials per member account (assumed role), or base credentials when it has none */
  readonly credentials: MemberCredentials;
  /** extra ECR client configuration (retries, request handler; tests may set an endpoint) */
  readonly clientConfig?: Omit<ECRClientConfig, 'region'>;
}

const TAG_MUTABILITIES: ReadonlySet<string> = new Set([
  'MUTABLE',
  'IMMUTABLE',
  'MUTABLE_WITH_EXCLUSION',
  'IMMUTABLE_WITH_EXCLUSION',
]);

/** The RepositoryRegistry port on Amazon ECR, called in each repository's own account and region. */
export class EcrRepositoryRegistry implements RepositoryRegistry {
  private readonly clients = new Map<string, ECRClient>();

  constructor(private readonly options: EcrRepositoryRegistryOptions) {}

  async tags(repository: RepositoryRef): Promise<Record<string, string>> {
    const output = await this.call(repository, 'ListTagsForResource', (client) =>
      client.send(new ListTagsForResourceCommand({ resourceArn: repository.arn })),
    );
    const tags: Record<string, string> = {};
    for (const tag of output.tags ?? []) {
      if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
    }
    return tags;
  }

  async images(repository: RepositoryRef): Promise<ImageSummary[]> {
    const images: ImageSummary[] = [];
    let nextToken: string | undefined;
    do {
      const output = await this.call(repository, 'DescribeImages', (client) =>
        client.send(
          new DescribeImagesCommand({
            registryId: repository.accountId,
            repositoryName: repository.name,
            maxResults: 1000,
            nextToken,
          }),
        ),
      );
      for (const image of output.imageDetails ?? []) {
        if (image.imageDigest === undefined) continue;
        images.push({
          digest: image.imageDigest,
          tags: image.imageTags ?? [],
          pushedAt: image.imagePushedAt?.toISOString(),
        });
      }
      nextToken = output.nextToken;
    } while (nextToken !== undefined && nextToken !== '');
    return images;
  }

  async readSetting(controlId: string, repository: RepositoryRef): Promise<string | undefined> {
    return this.#control(controlId).read(repository);
  }

  async applyFix(controlId: string, repository: RepositoryRef): Promise<void> {
    return this.#control(controlId).fix(repository);
  }

  /** What the registry reads and writes for each control it knows: ECR.2 is the tag mutability. */
  #control(controlId: string): {
    read(repository: RepositoryRef): Promise<string | undefined>;
    fix(repository: RepositoryRef): Promise<void>;
  } {
    if (controlId === 'ECR.2')
      return {
        read: (repository) => this.#tagMutability(repository),
        fix: (repository) => this.#makeImmutable(repository),
      };
    throw new HubwardenError(`the ECR registry has no setting for control ${controlId}`, {
      kind: 'permanent',
      code: 'ecr.unsupported_control',
      service: 'ecr',
    });
  }

  async #tagMutability(repository: RepositoryRef): Promise<TagMutability | undefined> {
    try {
      const output = await this.call(repository, 'DescribeRepositories', (client) =>
        client.send(
          new DescribeRepositoriesCommand({
            registryId: repository.accountId,
            repositoryNames: [repository.name],
          }),
        ),
      );
      const value = output.repositories?.[0]?.imageTagMutability;
      return value !== undefined && TAG_MUTABILITIES.has(value) ? (value as TagMutability) : undefined;
    } catch (error) {
      if (isHubwardenError(error) && error.code === 'ecr.repository_not_found') return undefined;
      throw error;
    }
  }

  async #makeImmutable(repository: RepositoryRef): Promise<void> {
    await this.call(repository, 'PutImageTagMutability', (client) =>
      client.send(
        new PutImageTagMutabilityCommand({
          registryId: repository.accountId,
          repositoryName: repository.name,
          imageTagMutability: 'IMMUTABLE',
        }),
      ),
    );
  }

  /** Releases the sockets of every cached client. */
  destroy(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }

  private clientFor(repository: RepositoryRef): ECRClient {
    const key = `${repository.partition}:${repository.accountId}:${repository.region}`;
    let client = this.clients.get(key);
    if (client === undefined) {
      const credentials = this.options.credentials.forAccount(repository.accountId, repository.partition);
      client = new ECRClient({
        ...this.options.clientConfig,
        region: repository.region,
        ...(credentials === undefined ? {} : { credentials }),
      });
      this.clients.set(key, client);
    }
    return client;
  }

  private async call<T>(repository: RepositoryRef, action: string, send: (client: ECRClient) => Promise<T>) {
    try {
      return await send(this.clientFor(repository));
    } catch (error) {
      throw classifyAwsError(error, 'ecr', action, `${repository.accountId}/${repository.region}`);
    }
  }
}
