import { z } from 'zod';
import type { ComplianceStatus, Finding, RecordState, WorkflowStatus } from '../model.js';
import { parseRepositoryArn } from '../repository-ref.js';

/**
 * Parses one raw ASFF finding, as GetFindings returns it, into the core's `Finding`.
 * Works for consolidated control findings (`Compliance.SecurityControlId`) and for per-standard
 * findings (`ProductFields.ControlId`, `GeneratorId` ending in the control id).
 */
export type ParsedFinding =
  | { readonly ok: true; readonly finding: Finding }
  | {
      readonly ok: false;
      readonly reason: SkipReason;
      readonly id: string | undefined;
      readonly detail: string;
    };

/** `other-control` and `no-repository` are expected and silent; `malformed` is logged and counted. */
export type SkipReason = 'other-control' | 'no-repository' | 'malformed';

/** `Note.UpdatedBy` on every note hubwarden writes. */
export const NOTE_AUTHOR = 'hubwarden';

const isoDate = z.iso.datetime({ offset: true });

const resourceSchema = z.object({
  Type: z.string(),
  Id: z.string(),
  Tags: z.record(z.string(), z.string()).optional(),
});

const asffSchema = z.object({
  Id: z.string().min(1),
  ProductArn: z.string().min(1),
  GeneratorId: z.string().optional(),
  Title: z.string().optional(),
  UpdatedAt: isoDate,
  FirstObservedAt: isoDate.optional(),
  Severity: z.object({ Label: z.string().optional() }).optional(),
  RecordState: z.enum(['ACTIVE', 'ARCHIVED']),
  Workflow: z.object({ Status: z.enum(['NEW', 'NOTIFIED', 'RESOLVED', 'SUPPRESSED']) }).optional(),
  WorkflowState: z.string().optional(),
  Compliance: z
    .object({
      Status: z.enum(['PASSED', 'FAILED', 'WARNING', 'NOT_AVAILABLE']).optional(),
      SecurityControlId: z.string().optional(),
      AssociatedStandards: z.array(z.object({ StandardsId: z.string().optional() })).optional(),
    })
    .optional(),
  Note: z.object({ Text: z.string(), UpdatedBy: z.string().optional() }).optional(),
  ProductFields: z.record(z.string(), z.string()).optional(),
  Resources: z.array(resourceSchema).min(1),
});

type Asff = z.infer<typeof asffSchema>;

/** Control Tower's own findings name a control `CT.<id>` (`CT.ECR.2`); every other standard uses `<id>`. */
const CONTROL_TOWER_PREFIX = 'CT.';

const withoutControlTowerPrefix = (id: string): string =>
  id.startsWith(CONTROL_TOWER_PREFIX) ? id.slice(CONTROL_TOWER_PREFIX.length) : id;

/**
 * The consolidated `Compliance.SecurityControlId` where it exists; otherwise (aws-us-gov, aws-cn, which have no
 * consolidated controls) the standard's own `ProductFields.ControlId`, or the end of its `GeneratorId`
 * (`aws-foundational-security-best-practices/v/1.0.0/ECR.2`).
 */
const controlIdOf = (asff: Asff): string | undefined => {
  if (asff.Compliance?.SecurityControlId !== undefined) return asff.Compliance.SecurityControlId;
  const perStandard = asff.ProductFields?.ControlId ?? asff.GeneratorId?.split('/').at(-1);
  return perStandard === undefined ? undefined : withoutControlTowerPrefix(perStandard);
};

const standardsOf = (asff: Asff): string[] => {
  const associated = (asff.Compliance?.AssociatedStandards ?? []).flatMap((standard) =>
    standard.StandardsId ? [standard.StandardsId] : [],
  );
  if (associated.length > 0) return associated;
  const fromProduct = asff.ProductFields?.StandardsArn ?? asff.ProductFields?.StandardsGuideArn;
  return fromProduct ? [fromProduct] : [];
};

/** Legacy `WorkflowState` values, used only when `Workflow.Status` is absent. */
const workflowOf = (asff: Asff): WorkflowStatus => {
  if (asff.Workflow) return asff.Workflow.Status;
  switch (asff.WorkflowState) {
    case 'ASSIGNED':
    case 'IN_PROGRESS':
      return 'NOTIFIED';
    case 'DEFERRED':
      return 'SUPPRESSED';
    case 'RESOLVED':
      return 'RESOLVED';
    default:
      return 'NEW';
  }
};

const idOf = (raw: unknown): string | undefined =>
  raw && typeof raw === 'object' && typeof (raw as { Id?: unknown }).Id === 'string'
    ? (raw as { Id: string }).Id
    : undefined;

export const parseFinding = (raw: unknown, controlId: string): ParsedFinding => {
  const parsed = asffSchema.safeParse(raw);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    return { ok: false, reason: 'malformed', id: idOf(raw), detail };
  }
  const asff = parsed.data;
  const found = controlIdOf(asff);
  if (found !== controlId) {
    return { ok: false, reason: 'other-control', id: asff.Id, detail: `control ${found ?? 'unknown'}` };
  }
  const resource = asff.Resources.find((candidate) => candidate.Type === 'AwsEcrRepository');
  const repository = resource ? parseRepositoryArn(resource.Id) : undefined;
  if (!resource || !repository) {
    return { ok: false, reason: 'no-repository', id: asff.Id, detail: 'no private ECR repository resource' };
  }
  const compliance: ComplianceStatus = asff.Compliance?.Status ?? 'NOT_AVAILABLE';
  const recordState: RecordState = asff.RecordState;
  return {
    ok: true,
    finding: {
      id: asff.Id,
      productArn: asff.ProductArn,
      controlId: found,
      repository,
      compliance,
      recordState,
      workflow: workflowOf(asff),
      title: asff.Title ?? `${controlId} ${repository.name}`,
      severity: asff.Severity?.Label ?? 'MEDIUM',
      updatedAt: new Date(asff.UpdatedAt).toISOString(),
      firstObservedAt: asff.FirstObservedAt ? new Date(asff.FirstObservedAt).toISOString() : undefined,
      standards: standardsOf(asff),
      resourceTags: resource.Tags ?? {},
      hubwardenNote: asff.Note?.UpdatedBy === NOTE_AUTHOR ? asff.Note.Text : undefined,
    },
  };
};
