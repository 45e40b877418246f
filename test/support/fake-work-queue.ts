import type { WorkQueue } from '../../src/core/ports/work-queue.js';
import { applyFix, type FixResult } from '../../src/core/use-cases/apply-fix.js';
import { mirrorSuppression } from '../../src/core/use-cases/mirror-suppression.js';
import type { PipelineDeps } from '../../src/core/use-cases/pipeline-deps.js';
import type { ReconcileResult } from '../../src/core/use-cases/reconcile-repository.js';

export type WorkQueueCall =
  | { readonly kind: 'repositories'; readonly repositoryKeys: readonly string[] }
  | { readonly kind: 'fix'; readonly repositoryKey: string; readonly actor: string }
  | { readonly kind: 'mirror'; readonly suppressionId: string }
  | { readonly kind: 'expiry'; readonly suppressionId: string; readonly at: string };

export interface FakeWorkQueueOptions {
  /** runs each job the moment it is queued (expiries excepted: they wait for `runDueExpiries`) */
  readonly inline?: boolean;
}

/**
 * A `WorkQueue` that records every call. Queued fixes and mirrors wait in a list until `drain()` runs
 * them through the real use cases (as a worker would, later and outside the interaction's lock), or run
 * at once with `inline`. Expiries run when the test's clock has reached them (`runDueExpiries`), once,
 * like BullMQ's delayed job with a fixed id.
 */
export class FakeWorkQueue implements WorkQueue {
  readonly calls: WorkQueueCall[] = [];
  readonly results: (FixResult | ReconcileResult | undefined)[] = [];
  readonly #deps: PipelineDeps;
  readonly #inline: boolean;
  #waiting: WorkQueueCall[] = [];
  readonly #expiries = new Map<string, string>();

  constructor(deps: PipelineDeps, options: FakeWorkQueueOptions = {}) {
    this.#deps = deps;
    this.#inline = options.inline ?? false;
  }

  fixes(): Extract<WorkQueueCall, { kind: 'fix' }>[] {
    return this.calls.filter((call): call is Extract<WorkQueueCall, { kind: 'fix' }> => call.kind === 'fix');
  }

  mirrors(): Extract<WorkQueueCall, { kind: 'mirror' }>[] {
    return this.calls.filter(
      (call): call is Extract<WorkQueueCall, { kind: 'mirror' }> => call.kind === 'mirror',
    );
  }

  expiries(): Extract<WorkQueueCall, { kind: 'expiry' }>[] {
    return this.calls.filter(
      (call): call is Extract<WorkQueueCall, { kind: 'expiry' }> => call.kind === 'expiry',
    );
  }

  /** records the poll's repositories; their reconcile jobs are the test's to run */
  async enqueueRepositories(
    due: readonly { repositoryKey: string; generation: string }[],
  ): Promise<string[]> {
    this.calls.push({ kind: 'repositories', repositoryKeys: due.map((item) => item.repositoryKey) });
    return due.map(({ repositoryKey, generation }) => `repo-${repositoryKey}-${generation}`);
  }

  async enqueueFix(repositoryKey: string, actor: string): Promise<void> {
    await this.#queue({ kind: 'fix', repositoryKey, actor });
  }

  async enqueueSuppressionMirror(suppressionId: string): Promise<void> {
    await this.#queue({ kind: 'mirror', suppressionId });
  }

  async scheduleSuppressionExpiry(suppressionId: string, at: Date): Promise<void> {
    this.calls.push({ kind: 'expiry', suppressionId, at: at.toISOString() });
    if (!this.#expiries.has(suppressionId)) this.#expiries.set(suppressionId, at.toISOString());
  }

  /** runs every waiting fix and mirror in the order queued (and what they queue in turn) */
  async drain(): Promise<void> {
    while (this.#waiting.length > 0) {
      const batch = this.#waiting;
      this.#waiting = [];
      for (const job of batch) await this.#run(job);
    }
  }

  /** runs the expiry jobs whose time has come on the deps' clock, then drains */
  async runDueExpiries(): Promise<void> {
    const now = this.#deps.clock().getTime();
    for (const [suppressionId, at] of [...this.#expiries]) {
      if (Date.parse(at) > now) continue;
      this.#expiries.delete(suppressionId);
      this.results.push(await mirrorSuppression(this.#deps, suppressionId));
    }
    await this.drain();
  }

  async #queue(job: WorkQueueCall): Promise<void> {
    this.calls.push(job);
    if (this.#inline) await this.#run(job);
    else this.#waiting.push(job);
  }

  async #run(job: WorkQueueCall): Promise<void> {
    if (job.kind === 'fix') {
      this.results.push(
        await applyFix(this.#deps, {
          repositoryKey: job.repositoryKey,
          actor: job.actor,
          finalAttempt: true,
        }),
      );
    } else if (job.kind === 'mirror') {
      this.results.push(await mirrorSuppression(this.#deps, job.suppressionId));
    }
  }
}
