import { describe, expect, it } from 'vitest';
import { seededRandom } from '../fixtures/seeded-random.js';
import { startFaultWorld, type FaultWorld } from './fault-world.js';
import { expectCleanStop, expectExactlyOnce } from './expect-exactly-once.js';
import type { ServiceProcess } from './service-process.js';
import { waitFor } from '../support/wait-for.js';
import { RedisStateStore } from '../../src/adapters/redis/redis-state-store.js';
import { repositoryKeyOf } from '../../src/core/repository-ref.js';
import { REVIEW_CHANNEL } from '../standins/sandbox.js';
import { freePort } from '../support/private-redis.js';
import { slackPresses } from './suppression-presses.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A job killed with its worker keeps the repository lock (TTL 120 s) until it expires, so every test
 * here needs about two minutes after its last kill: they run side by side, each in a world of its own.
 */
const SETTLE_AFTER_KILL_MS = 170_000;

const withWorld = async (
  options: Parameters<typeof startFaultWorld>[0],
  run: (world: FaultWorld) => Promise<void>,
): Promise<void> => {
  const world = await startFaultWorld(options);
  try {
    await run(world);
  } finally {
    await world.close();
  }
};

const untilRequest = async (world: FaultWorld, route: string, service: ServiceProcess): Promise<number> => {
  for (;;) {
    const found = world.sandbox.jira.requests.find((request) => request.route === route);
    if (found) return found.at;
    if (service.done) throw new Error(`the service exited:\n${service.output()}`);
    await sleep(20);
  }
};

describe.concurrent('SIGKILL', () => {
  it('three kills at seeded random points of a large sync, then a restart: one ticket and one message each', async () => {
    // Security Hub's real quotas make BatchUpdateFindings the bottleneck (about 10 repositories a second),
    // so the sync lasts long enough for every kill to land in the middle of it.
    await withWorld(
      { repositories: 220, seed: 4242, sandbox: { aws: { rateLimits: true } } },
      async (world) => {
        const random = seededRandom(20260311);
        const total = world.failing.length;
        const kills: number[] = [];
        let service = world.start();
        for (const [low, high] of [
          [0.05, 0.3],
          [0.35, 0.6],
          [0.65, 0.9],
        ] as const) {
          const target = Math.floor(total * (low + random.next() * (high - low)));
          const extraMs = random.int(0, 800);
          const current = service;
          while ((await world.recorded()) < target) {
            if (current.done) throw new Error(`the service exited on its own:\n${current.output()}`);
            await sleep(50);
          }
          await sleep(extraMs);
          const exit = await current.kill();
          expect(exit.signal).toBe('SIGKILL');
          kills.push(await world.recorded());
          service = world.start();
        }
        expect(
          kills.every((done) => done < total),
          `kills landed mid-sync: ${kills.join(', ')}`,
        ).toBe(true);
        await world.waitUntilSettled(SETTLE_AFTER_KILL_MS, service);
        expectCleanStop(await service.terminate());
        const duplicates = expectExactlyOnce(await world.verdict());
        if (duplicates.length > 0) {
          console.warn(`duplicates from the known crash windows (kills at ${kills.join(', ')}):`, duplicates);
        }
      },
    );
  });

  // The issue appears in Jira after the process that asked for it died: the retried job must find it
  // (a second create attempt looks first) instead of creating another.
  it('a kill between creating a Jira issue and recording it does not create a second ticket', async () => {
    await withWorld({ repositories: 24, seed: 77 }, async (world) => {
      // the first create takes 8 s: the issue appears in Jira after the process that asked for it died
      world.sandbox.jira.inject({ route: 'POST /rest/api/3/issue', delayMs: 8_000, times: 1 });
      const first = world.start();
      await untilRequest(world, 'POST /rest/api/3/issue', first);
      await sleep(500);
      await first.kill();
      const service = world.start();
      await world.waitUntilSettled(SETTLE_AFTER_KILL_MS, service);
      expectCleanStop(await service.terminate());
      expectExactlyOnce(await world.verdict());
    });
  });

  // The window on Slack: chat.postMessage succeeds, the process dies before the message's ts is saved.
  // The retried job remembers that it tried (a claim) and finds the card by its message metadata.
  it('a kill between posting a Slack message and recording it does not post a second one', async () => {
    await withWorld({ repositories: 24, seed: 79 }, async (world) => {
      world.sandbox.slack.inject('chat.postMessage', { delayMs: 8_000 }, 1);
      const first = world.start();
      // a cold start on a loaded machine (full read, tickets first) can take longer than the default wait
      await waitFor(
        'the first chat.postMessage',
        () => world.sandbox.slack.calls['chat.postMessage'],
        60_000,
      );
      await sleep(500);
      await first.kill();
      const service = world.start();
      await world.waitUntilSettled(SETTLE_AFTER_KILL_MS, service);
      expectCleanStop(await service.terminate());
      expectExactlyOnce(await world.verdict());
    });
  });

  // The same window for a suppression's review message: the retried mirror job finds the card by its
  // metadata (`hubwarden_suppression_review`) instead of posting a second one to the reviewers.
  it('a kill between posting a review message and recording it does not post a second one', async () => {
    const port = await freePort();
    await withWorld(
      { repositories: 8, seed: 81, sandbox: { requireApproval: false }, env: { PORT: String(port) } },
      async (world) => {
        const first = world.start();
        await world.waitUntilSettled(60_000, first);
        const connection = world.redis.client();
        connection.on('error', () => undefined);
        const state = new RedisStateStore(connection, world.prefix);
        try {
          const repository = world.failing[0];
          const record = repository && (await state.getRecord(repositoryKeyOf(repository.arn)));
          if (!record) throw new Error('no recorded failing repository');
          const posts = world.sandbox.slack.calls['chat.postMessage'] ?? 0;
          // the next message posted is the review card: it reaches Slack 8 s later, after the kill
          world.sandbox.slack.inject('chat.postMessage', { delayMs: 8_000 }, 1);
          await slackPresses(world.sandbox, port).suppress(
            record,
            'Vendor image re-pushed nightly under latest; the vendor ships immutable tags next quarter.',
          );
          await waitFor(
            'the review card post',
            () => (world.sandbox.slack.calls['chat.postMessage'] ?? 0) > posts,
          );
          await sleep(500);
          await first.kill();
          const service = world.start();
          await waitFor(
            'the suppression in effect, its review message recorded',
            async () => {
              const [suppression] = await state.listSuppressions();
              return (
                suppression?.reviewMessage &&
                world.sandbox.aws.securityHub
                  .findingsForResource(record.repository.arn)
                  .every((finding) => (finding['Workflow'] as { Status?: string }).Status === 'SUPPRESSED')
              );
            },
            SETTLE_AFTER_KILL_MS,
          );
          expect(world.sandbox.slack.messagesIn(REVIEW_CHANNEL)).toHaveLength(1);
          const [suppression] = await state.listSuppressions();
          expect(suppression?.reviewMessage?.ts).toBe(world.sandbox.slack.messagesIn(REVIEW_CHANNEL)[0]?.ts);
          expectCleanStop(await service.terminate());
        } finally {
          connection.disconnect();
        }
      },
    );
  });

  // The poll lock is renewed while a poll runs and lapses a minute after its holder dies, so a killed
  // poll does not keep the retried poll and the scheduled ones out for long (workers/poll-processor.ts).
  it('a kill during the poll does not stop polling after the restart', async () => {
    await withWorld({ repositories: 24, seed: 78 }, async (world) => {
      // the full poll's ticket-index search takes 5 s; the kill lands while the poll holds its lock
      world.sandbox.jira.inject({ route: 'POST /rest/api/3/search/jql', delayMs: 5_000, times: 1 });
      const first = world.start();
      await untilRequest(world, 'POST /rest/api/3/search/jql', first);
      await first.kill();
      const service = world.start();
      // a poll every 5 s and 24 repositories: a healthy service is done in well under a minute
      await world.waitUntilSettled(75_000, service);
      expectCleanStop(await service.terminate());
      expectExactlyOnce(await world.verdict());
    });
  });
});
