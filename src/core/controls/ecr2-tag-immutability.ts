import { bullets, code, paragraph, text, type Block } from '../document.js';
import type { ImageSummary, RepositoryRef, Risk, TagMutability } from '../model.js';
import type { ControlModule } from './control.js';

/** Tags that pipelines conventionally move to a new image; they stop working under IMMUTABLE. */
const FLOATING_TAG =
  /^(latest|stable|edge|nightly|canary|current|main|master|trunk|dev|develop|development|prod|production|staging|stage|qa|test|release|snapshot)([-_.].*)?$/i;

/** Tags that signing and attestation tools (cosign, notation helpers) append beside the image. */
const SIGNATURE_TAG = /^sha256-[0-9a-f]{64}\.(sig|att|sbom)$/;

const EXAMPLES = 5;

const floatingTagsOf = (images: readonly ImageSummary[]): string[] =>
  images.flatMap((image) => image.tags.filter((tag) => FLOATING_TAG.test(tag)));

const signatureTagsOf = (images: readonly ImageSummary[]): string[] =>
  images.flatMap((image) => image.tags.filter((tag) => SIGNATURE_TAG.test(tag)));

const assessRisks = (images: readonly ImageSummary[]): Risk[] => {
  const risks: Risk[] = [];
  const floating = [...new Set(floatingTagsOf(images))].sort();
  if (floating.length > 0) {
    risks.push({
      kind: 'floating-tags',
      summary: `${floating.length} floating tag(s) that pipelines re-push (${floating.slice(0, EXAMPLES).join(', ')}): a push to an existing tag will fail once tags are immutable`,
      examples: floating.slice(0, EXAMPLES),
      count: floating.length,
    });
  }
  const untagged = images.filter((image) => image.tags.length === 0).length;
  if (untagged > 0) {
    risks.push({
      kind: 'untagged-images',
      summary: `${untagged} untagged image(s), left behind when a tag was overwritten: some pipeline re-pushes tags`,
      examples: [],
      count: untagged,
    });
  }
  const signatures = signatureTagsOf(images);
  if (signatures.length > 0) {
    risks.push({
      kind: 'signature-tags',
      summary: `${signatures.length} signature/attestation tag(s) (sha256-*.sig/.att/.sbom): tools that append to these tags (cosign) will fail under IMMUTABLE`,
      examples: signatures.slice(0, EXAMPLES),
      count: signatures.length,
    });
  }
  return risks;
};

const howToFix = (repository: RepositoryRef): Block[] => [
  paragraph(
    text('Press '),
    { type: 'text', text: 'Fix', strong: true },
    text(' on the Slack message, or run:'),
  ),
  {
    type: 'code',
    text: [
      'aws ecr put-image-tag-mutability \\',
      `  --registry-id ${repository.accountId} --region ${repository.region} \\`,
      `  --repository-name ${repository.name} --image-tag-mutability IMMUTABLE`,
    ].join('\n'),
  },
  paragraph(text('Before fixing:')),
  bullets(
    [
      text('move pipelines from floating tags such as '),
      code('latest'),
      text(' to commit-SHA or version tags;'),
    ],
    [
      text('if you sign images with cosign, switch to OCI 1.1 referrers ('),
      code('--registry-referrers-mode=oci-1-1'),
      text(') so signatures no longer need appended tags. ECR.2 passes only with IMMUTABLE.'),
    ],
  ),
];

export const ecr2TagImmutability: ControlModule = {
  controlId: 'ECR.2',
  problem: 'image tags are mutable',
  assessRisks,
  isCompliant: (setting: string) => setting === ('IMMUTABLE' satisfies TagMutability),
  howToFix,
};
