import { describe, expect, it } from 'vitest';
import { registerFailureGauges } from '../../src/app/failure-gauges.js';
import { createMetrics } from '../../src/app/metrics.js';
import type { ProviderFailure } from '../../src/core/ports/state-store.js';
import { MemoryStateStore } from '../support/memory-state-store.js';

const failure = (code: string, attempts: number): ProviderFailure => ({
  code,
  reason: 'refused',
  since: '2025-01-10T12:00:00.000Z',
  at: '2025-01-10T12:10:00.000Z',
  attempts,
  retryAt: '2025-01-10T12:20:00.000Z',
});

const ARN_A = 'arn:aws:ecr:eu-west-1:111111111111:repository/alpha';
const ARN_B = 'arn:aws:ecr:us-east-1:222222222222:repository/beta';

describe('failure gauges', () => {
  it('show each repository and provider that fails, and nothing once it recovered', async () => {
    const metrics = createMetrics();
    const state = new MemoryStateStore();
    registerFailureGauges(metrics, state, () => true);
    await state.putFailures('ra', {
      repositoryArn: ARN_A,
      providers: { jira: failure('jira.invalid', 3), slack: failure('slack.not_in_channel', 1) },
    });
    await state.putFailures('rb', {
      repositoryArn: ARN_B,
      providers: { jira: failure('jira.forbidden', 1) },
    });

    const text = await metrics.registry.metrics();
    expect(text).toContain(
      `hubwarden_repository_provider_failures{repository="${ARN_A}",provider="jira",code="jira.invalid"} 3`,
    );
    expect(text).toContain(
      `hubwarden_repository_provider_failures{repository="${ARN_A}",provider="slack",code="slack.not_in_channel"} 1`,
    );
    expect(text).toContain(
      `hubwarden_repository_provider_failures{repository="${ARN_B}",provider="jira",code="jira.forbidden"} 1`,
    );
    expect(text).toContain('hubwarden_repositories_failing_at_provider{provider="jira"} 2');

    await state.putFailures('ra', undefined);
    const after = await metrics.registry.metrics();
    expect(after).not.toContain(ARN_A);
    expect(after).toContain('hubwarden_repositories_failing_at_provider{provider="jira"} 1');
    expect(after).not.toContain('provider="slack"');
  });

  it('still answers when the state cannot be read', async () => {
    const metrics = createMetrics();
    registerFailureGauges(
      metrics,
      { listFailures: () => Promise.reject(new Error('Redis is gone')) },
      () => true,
    );
    expect(await metrics.registry.metrics()).toContain('# TYPE hubwarden_repository_provider_failures gauge');
  });
});
