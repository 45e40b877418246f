/** The values the core reasons about. Everything here is plain data, already validated at the edge. */

export type ComplianceStatus = 'PASSED' | 'FAILED' | 'WARNING' | 'NOT_AVAILABLE';
export type RecordState = 'ACTIVE' | 'ARCHIVED';
export type WorkflowStatus = 'NEW' | 'NOTIFIED' | 'RESOLVED' | 'SUPPRESSED';

/** A private ECR repository, identified by its ARN `arn:<partition>:ecr:<region>:<account>:repository/<name>`. */
export interface RepositoryRef {
  readonly arn: string;
  readonly partition: string;
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
  /** stable, colon-free key derived from the ARN (job ids, Jira label, Redis keys) */
  readonly key: string;
}

/** The identifiers BatchUpdateFindings needs. */
export interface FindingIdentifier {
  readonly id: string;
  readonly productArn: string;
}

export interface Finding extends FindingIdentifier {
  readonly controlId: string;
  readonly repository: RepositoryRef;
  readonly compliance: ComplianceStatus;
  readonly recordState: RecordState;
  readonly workflow: WorkflowStatus;
  readonly title: string;
  readonly severity: string;
  readonly updatedAt: string;
  readonly firstObservedAt: string | undefined;
  /** standards the finding belongs to (empty for consolidated control findings without associations) */
  readonly standards: readonly string[];
  /** tags carried by the finding's resource (`Resources[].Tags`), if any */
  readonly resourceTags: Readonly<Record<string, string>>;
  /** the finding's note when hubwarden wrote it last (it names the ticket: a way back after state loss) */
  readonly hubwardenNote: string | undefined;
}

export interface ImageSummary {
  readonly digest: string;
  readonly tags: readonly string[];
  readonly pushedAt: string | undefined;
}

export type TagMutability = 'MUTABLE' | 'IMMUTABLE' | 'MUTABLE_WITH_EXCLUSION' | 'IMMUTABLE_WITH_EXCLUSION';

export type RiskKind = 'floating-tags' | 'untagged-images' | 'signature-tags';

/**
 * A reason a pipeline may break once tags are immutable: floating tags that pipelines re-push (and the
 * untagged images overwritten tags leave behind), or signature and attestation tags appended under a
 * mutable tag.
 */
export interface Risk {
  readonly kind: RiskKind;
  /** one line for people */
  readonly summary: string;
  /** the tags concerned (at most a handful, for display) */
  readonly examples: readonly string[];
  readonly count: number;
}

/** Who owns a repository, as configured in the owners file or resolved from an e-mail tag. */
export interface Owner {
  /** owners-file key, e-mail address, or `default` */
  readonly name: string;
  readonly jiraAccountId: string | undefined;
  readonly jiraUser: string | undefined;
  /** channel id, or a user id for a direct message */
  readonly slackChannel: string | undefined;
  readonly slackUsers: readonly string[];
  readonly email: string | undefined;
}

export type OwnerRule = 'tag' | 'email-tag' | 'account' | 'default';

export interface OwnerResolution {
  readonly owner: Owner;
  readonly rule: OwnerRule;
  /** e.g. `tag Owner=payments`, `account 111111111111`, `defaultOwner` */
  readonly detail: string;
}

/** A chat message, by channel and timestamp. */
export interface MessageRef {
  readonly channel: string;
  readonly ts: string;
}
