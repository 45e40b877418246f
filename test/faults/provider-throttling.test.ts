import { describe, expect, it } from 'vitest';
import { startFaultWorld, type FaultWorld, type FaultWorldOptions } from './fault-world.js';
import { expectCleanStop, expectExactlyOnce } from './expect-exactly-once.js';

const withWorld = async (options: FaultWorldOptions, run: (world: FaultWorld) => Promise<void>) => {
  const world = await startFaultWorld(options);
  try {
    await run(world);
  } finally {
    await world.close();
  }
};

describe.concurrent('provider throttling', () => {
  it('Slack answers 429 on chat.postMessage: every repository still gets one message', async () => {
    // Slack's per-channel limit (1/s, bursts of 3) plus six scripted 429s with Retry-After
    await withWorld({ repositories: 60, seed: 701, sandbox: { slackRateLimit: true } }, async (world) => {
      world.sandbox.slack.inject('chat.postMessage', { status: 429, retryAfterSeconds: 2 }, 6);
      const service = world.start();
      await world.waitUntilSettled(120_000, service);
      expectCleanStop(await service.terminate());
      expect(
        world.sandbox.slack.calls['chat.postMessage'] ?? 0,
        'chat.postMessage calls (429s included)',
      ).toBeGreaterThanOrEqual(world.failing.length + 6);
      expectExactlyOnce(await world.verdict());
    });
  });

  it('Security Hub throttles GetFindings and BatchUpdateFindings: all findings NOTIFIED, once each', async () => {
    await withWorld(
      {
        repositories: 120,
        seed: 702,
        sandbox: {
          aws: {
            rateLimits: true,
            limits: {
              'securityhub.GetFindings': { perSecond: 1, burst: 1 },
              'securityhub.BatchUpdateFindings': { perSecond: 5, burst: 5 },
            },
          },
        },
      },
      async (world) => {
        const { aws } = world.sandbox;
        aws.inject({
          operation: 'securityhub.GetFindings',
          count: 3,
          status: 429,
          code: 'TooManyRequestsException',
          retryAfterSeconds: 1,
        });
        aws.inject({
          operation: 'securityhub.BatchUpdateFindings',
          count: 20,
          status: 429,
          code: 'TooManyRequestsException',
          retryAfterSeconds: 1,
        });
        const service = world.start();
        await world.waitUntilSettled(150_000, service);
        expectCleanStop(await service.terminate());
        expect(
          aws.throttled['securityhub.BatchUpdateFindings'] ?? 0,
          'BatchUpdateFindings throttled',
        ).toBeGreaterThan(0);
        expect(aws.calls['securityhub.GetFindings'] ?? 0, 'GetFindings calls').toBeGreaterThan(3);
        expectExactlyOnce(await world.verdict());
      },
    );
  });
});
