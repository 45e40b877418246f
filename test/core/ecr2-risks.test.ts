import { describe, expect, it } from 'vitest';
import { ecr2TagImmutability } from '../../src/core/controls/ecr2-tag-immutability.js';
import { docToPlainText } from '../../src/core/document.js';
import type { ImageSummary } from '../../src/core/model.js';
import { parseRepositoryArn } from '../../src/core/repository-ref.js';

const image = (digest: string, ...tags: string[]): ImageSummary => ({
  digest: `sha256:${digest}`,
  tags,
  pushedAt: undefined,
});
const sha = (char: string) => char.repeat(64);
const assess = (images: ImageSummary[]) => ecr2TagImmutability.assessRisks(images);

describe('ECR.2 pre-fix risks', () => {
  it('finds none for versioned images', () => {
    expect(assess([image('a', 'v1.2.3'), image('b', '3f2c1ab', '2025.01.06-build.17')])).toEqual([]);
    expect(assess([])).toEqual([]);
  });

  it('reports floating tags once each, sorted, with at most five examples', () => {
    const risks = assess([
      image('a', 'latest', 'v1'),
      image('b', 'staging', 'main-2024', 'Latest'),
      image('c', 'dev', 'nightly', 'prod', 'edge'),
      image('d', 'latest'),
    ]);
    expect(risks).toHaveLength(1);
    const [floating] = risks;
    expect(floating).toMatchObject({ kind: 'floating-tags', count: 8 });
    expect(floating?.examples).toEqual(['Latest', 'dev', 'edge', 'latest', 'main-2024']);
    expect(floating?.summary).toContain('8 floating tag(s)');
  });

  it('does not take a version tag that merely contains a floating word for a floating tag', () => {
    expect(assess([image('a', 'v2-latest', 'prodigy', 'testing123')])).toEqual([]);
  });

  it('reports untagged images left behind by overwritten tags', () => {
    const risks = assess([image('a'), image('b'), image('c', 'v1')]);
    expect(risks).toEqual([expect.objectContaining({ kind: 'untagged-images', count: 2, examples: [] })]);
  });

  it('reports cosign signature, attestation and SBOM tags, but not look-alikes', () => {
    const risks = assess([
      image('a', 'v1', `sha256-${sha('a')}.sig`),
      image('b', `sha256-${sha('b')}.att`),
      image('c', `sha256-${sha('c')}.sbom`),
      image('d', `sha256-${sha('d')}.txt`, `sha256-${sha('A')}.sig`, 'sha256-abc.sig'),
    ]);
    expect(risks).toHaveLength(1);
    expect(risks[0]).toMatchObject({ kind: 'signature-tags', count: 3 });
    expect(risks[0]?.summary).toContain('cosign');
  });

  it('reports every kind together, in a stable order', () => {
    const kinds = assess([image('a', 'latest'), image('b'), image('c', `sha256-${sha('c')}.sig`)]).map(
      (risk) => risk.kind,
    );
    expect(kinds).toEqual(['floating-tags', 'untagged-images', 'signature-tags']);
  });

  it('passes only IMMUTABLE and explains the fix with the repository’s own coordinates', () => {
    expect(ecr2TagImmutability.isCompliant('IMMUTABLE')).toBe(true);
    expect(ecr2TagImmutability.isCompliant('MUTABLE')).toBe(false);
    expect(ecr2TagImmutability.isCompliant('IMMUTABLE_WITH_EXCLUSION')).toBe(false);
    const repository = parseRepositoryArn('arn:aws:ecr:eu-west-1:111111111111:repository/team/api');
    if (!repository) throw new Error('fixture');
    const howTo = docToPlainText(ecr2TagImmutability.howToFix(repository));
    expect(howTo).toContain('--registry-id 111111111111 --region eu-west-1');
    expect(howTo).toContain('--repository-name team/api --image-tag-mutability IMMUTABLE');
  });
});
