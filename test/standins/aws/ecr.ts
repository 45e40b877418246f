import { AwsError, accessDenied } from './aws-error.js';
import type { Identity } from './sts.js';

export type ImageTagMutability =
  'MUTABLE' | 'IMMUTABLE' | 'IMMUTABLE_WITH_EXCLUSION' | 'MUTABLE_WITH_EXCLUSION';

export interface EcrImage {
  readonly digest: string;
  readonly tags: readonly string[];
  /** ISO instant */
  readonly pushedAt: string;
  readonly sizeInBytes?: number;
  readonly mediaType?: string;
}

export interface ExclusionFilter {
  readonly filterType: string;
  readonly filter: string;
}

export interface EcrRepository {
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
  readonly arn: string;
  readonly partition: string;
  imageTagMutability: ImageTagMutability;
  exclusionFilters: ExclusionFilter[];
  tags: Record<string, string>;
  images: EcrImage[];
  readonly createdAt: string;
}

export interface NewRepository {
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
  readonly partition?: string;
  readonly imageTagMutability?: ImageTagMutability;
  readonly tags?: Record<string, string>;
  readonly images?: readonly EcrImage[];
  readonly createdAt?: string;
}

const MUTABILITIES = new Set(['MUTABLE', 'IMMUTABLE', 'IMMUTABLE_WITH_EXCLUSION', 'MUTABLE_WITH_EXCLUSION']);
const REPOSITORY_ARN = /^arn:([a-z-]+):ecr:([a-z0-9-]+):(\d{12}):repository\/(.+)$/;

const invalidParameter = (message: string): AwsError =>
  new AwsError(400, 'InvalidParameterException', message);
const epochSeconds = (iso: string): number => Date.parse(iso) / 1000;
const repoKey = (accountId: string, region: string, name: string): string => `${accountId}/${region}/${name}`;

const pageOf = <T>(items: readonly T[], body: Record<string, unknown>, fallback: number) => {
  const maxResults = body['maxResults'] ?? fallback;
  if (typeof maxResults !== 'number' || maxResults < 1 || maxResults > 1000) {
    throw invalidParameter('maxResults must be between 1 and 1000');
  }
  let start = 0;
  if (body['nextToken'] !== undefined) {
    start = Number(Buffer.from(String(body['nextToken']), 'base64url').toString('utf8'));
    if (!Number.isInteger(start) || start < 0) throw invalidParameter('Invalid pagination token');
  }
  const page = items.slice(start, start + maxResults);
  const end = start + page.length;
  return {
    page,
    nextToken: end < items.length ? Buffer.from(String(end)).toString('base64url') : undefined,
  };
};

/** Private ECR registries, one per account and region; every call acts in the caller's own account. */
export class EcrStandIn {
  private readonly repos = new Map<string, EcrRepository>();
  private readonly denied = new Set<string>();

  constructor(private readonly now: () => number) {}

  putRepository(input: NewRepository): EcrRepository {
    const partition = input.partition ?? 'aws';
    const repository: EcrRepository = {
      accountId: input.accountId,
      region: input.region,
      name: input.name,
      partition,
      arn: `arn:${partition}:ecr:${input.region}:${input.accountId}:repository/${input.name}`,
      imageTagMutability: input.imageTagMutability ?? 'MUTABLE',
      exclusionFilters: [],
      tags: { ...input.tags },
      images: [...(input.images ?? [])],
      createdAt: input.createdAt ?? new Date(this.now()).toISOString(),
    };
    this.repos.set(repoKey(input.accountId, input.region, input.name), repository);
    return repository;
  }

  /** The live stored repository (tests may change it). */
  repository(accountId: string, region: string, name: string): EcrRepository | undefined {
    return this.repos.get(repoKey(accountId, region, name));
  }

  repositoryByArn(arn: string): EcrRepository | undefined {
    const match = REPOSITORY_ARN.exec(arn);
    return match === null ? undefined : this.repository(match[3] ?? '', match[2] ?? '', match[4] ?? '');
  }

  repositories(): EcrRepository[] {
    return [...this.repos.values()];
  }

  deleteRepository(accountId: string, region: string, name: string): boolean {
    return this.repos.delete(repoKey(accountId, region, name));
  }

  /** Calls of `action` (e.g. `PutImageTagMutability`) in this account answer AccessDeniedException. */
  denyAction(accountId: string, action: string): void {
    this.denied.add(`${accountId}:${action}`);
  }

  allowAction(accountId: string, action: string): void {
    this.denied.delete(`${accountId}:${action}`);
  }

  handle(operation: string, body: Record<string, unknown>, caller: Identity, region: string): unknown {
    if (this.denied.has(`${caller.accountId}:${operation}`)) {
      throw accessDenied(
        `User: ${caller.arn} is not authorized to perform: ecr:${operation} because no identity-based policy allows the ecr:${operation} action`,
      );
    }
    switch (operation) {
      case 'DescribeRepositories':
        return this.describeRepositories(body, caller, region);
      case 'ListTagsForResource':
        return this.listTags(body, caller, region);
      case 'DescribeImages':
        return this.describeImages(body, caller, region);
      case 'PutImageTagMutability':
        return this.putImageTagMutability(body, caller, region);
      default:
        throw new AwsError(400, 'UnknownOperationException', `The stand-in does not implement ${operation}`);
    }
  }

  private registryOf(body: Record<string, unknown>, caller: Identity, operation: string): string {
    const registryId = body['registryId'] === undefined ? caller.accountId : String(body['registryId']);
    if (registryId !== caller.accountId) {
      throw accessDenied(
        `User: ${caller.arn} is not authorized to perform: ecr:${operation} on resource: registry ${registryId}`,
      );
    }
    return registryId;
  }

  private find(accountId: string, region: string, name: unknown): EcrRepository {
    const repository = typeof name === 'string' ? this.repository(accountId, region, name) : undefined;
    if (repository === undefined) {
      throw new AwsError(
        400,
        'RepositoryNotFoundException',
        `The repository with name '${String(name)}' does not exist in the registry with id '${accountId}'`,
      );
    }
    return repository;
  }

  private describeRepositories(body: Record<string, unknown>, caller: Identity, region: string): unknown {
    const accountId = this.registryOf(body, caller, 'DescribeRepositories');
    const names = body['repositoryNames'];
    const selected = Array.isArray(names)
      ? names.map((name) => this.find(accountId, region, name))
      : this.repositories().filter((r) => r.accountId === accountId && r.region === region);
    const { page, nextToken } = pageOf(selected, body, 100);
    return {
      repositories: page.map((r) => ({
        repositoryArn: r.arn,
        registryId: r.accountId,
        repositoryName: r.name,
        repositoryUri: `${r.accountId}.dkr.ecr.${r.region}.amazonaws.com/${r.name}`,
        createdAt: epochSeconds(r.createdAt),
        imageTagMutability: r.imageTagMutability,
        ...(r.exclusionFilters.length > 0 ? { imageTagMutabilityExclusionFilters: r.exclusionFilters } : {}),
        imageScanningConfiguration: { scanOnPush: false },
        encryptionConfiguration: { encryptionType: 'AES256' },
      })),
      ...(nextToken === undefined ? {} : { nextToken }),
    };
  }

  private listTags(body: Record<string, unknown>, caller: Identity, region: string): unknown {
    const arn = String(body['resourceArn'] ?? '');
    const match = REPOSITORY_ARN.exec(arn);
    if (match === null)
      throw invalidParameter(`Invalid parameter at 'resourceArn' failed to satisfy constraint`);
    const [, , arnRegion, accountId, name] = match;
    if (accountId !== caller.accountId) {
      throw accessDenied(
        `User: ${caller.arn} is not authorized to perform: ecr:ListTagsForResource on resource: ${arn}`,
      );
    }
    if (arnRegion !== region) throw invalidParameter(`Resource ${arn} is not in region ${region}`);
    const repository = this.find(accountId, region, name);
    return { tags: Object.entries(repository.tags).map(([Key, Value]) => ({ Key, Value })) };
  }

  private describeImages(body: Record<string, unknown>, caller: Identity, region: string): unknown {
    const accountId = this.registryOf(body, caller, 'DescribeImages');
    const repository = this.find(accountId, region, body['repositoryName']);
    const tagStatus = (body['filter'] as { tagStatus?: string } | undefined)?.tagStatus ?? 'ANY';
    const images = repository.images.filter(
      (image) => tagStatus === 'ANY' || (tagStatus === 'TAGGED') === image.tags.length > 0,
    );
    const { page, nextToken } = pageOf(images, body, 100);
    return {
      imageDetails: page.map((image) => ({
        registryId: accountId,
        repositoryName: repository.name,
        imageDigest: image.digest,
        ...(image.tags.length > 0 ? { imageTags: image.tags } : {}),
        imageSizeInBytes: image.sizeInBytes ?? 31_457_280,
        imagePushedAt: epochSeconds(image.pushedAt),
        imageManifestMediaType: image.mediaType ?? 'application/vnd.oci.image.manifest.v1+json',
      })),
      ...(nextToken === undefined ? {} : { nextToken }),
    };
  }

  private putImageTagMutability(body: Record<string, unknown>, caller: Identity, region: string): unknown {
    const accountId = this.registryOf(body, caller, 'PutImageTagMutability');
    const mutability = body['imageTagMutability'];
    if (typeof mutability !== 'string' || !MUTABILITIES.has(mutability)) {
      throw invalidParameter(`Invalid imageTagMutability ${String(mutability)}`);
    }
    const filters = Array.isArray(body['imageTagMutabilityExclusionFilters'])
      ? (body['imageTagMutabilityExclusionFilters'] as ExclusionFilter[])
      : [];
    const withExclusion = mutability.endsWith('_WITH_EXCLUSION');
    if (withExclusion !== filters.length > 0 || filters.length > 5) {
      throw invalidParameter(
        'imageTagMutabilityExclusionFilters must be given (1 to 5) exactly for *_WITH_EXCLUSION',
      );
    }
    const repository = this.find(accountId, region, body['repositoryName']);
    repository.imageTagMutability = mutability as ImageTagMutability;
    repository.exclusionFilters = filters.map((f) => ({ filterType: f.filterType, filter: f.filter }));
    return {
      registryId: accountId,
      repositoryName: repository.name,
      imageTagMutability: repository.imageTagMutability,
      ...(filters.length > 0 ? { imageTagMutabilityExclusionFilters: repository.exclusionFilters } : {}),
    };
  }
}
