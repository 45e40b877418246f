import type { Block } from '../document.js';
import type { ImageSummary, RepositoryRef, Risk } from '../model.js';

/**
 * Everything specific to one Security Hub control lives behind this interface, so a sibling control
 * (ECR.1 scan on push, ECR.3 lifecycle policy) is one new module and no change to the pipeline.
 */
export interface ControlModule {
  /** `ComplianceSecurityControlId`, e.g. `ECR.2` */
  readonly controlId: string;
  /** short name of the problem, for summaries */
  readonly problem: string;
  /** what may break once fixed, read from the repository's images */
  assessRisks(images: readonly ImageSummary[]): Risk[];
  /** does the registry's setting (as `RepositoryRegistry.readSetting` reads it) satisfy the control */
  isCompliant(setting: string): boolean;
  /** the manual fix, for tickets */
  howToFix(repository: RepositoryRef): Block[];
}
