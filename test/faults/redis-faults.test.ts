import { describe, expect, it } from 'vitest';
import { RedisStateStore } from '../../src/adapters/redis/redis-state-store.js';
import type { RepositoryRecord } from '../../src/core/ports/state-store.js';
import { repositoryKeyOf } from '../../src/core/repository-ref.js';
import { REVIEW_CHANNEL, SANDBOX_SECRETS } from '../standins/sandbox.js';
import { freePort } from '../support/private-redis.js';
import { waitFor } from '../support/wait-for.js';
import { startFaultWorld, type FaultWorld, type FaultWorldOptions } from './fault-world.js';
import { expectCleanStop, expectExactlyOnce } from './expect-exactly-once.js';
import { slackPresses } from './suppression-presses.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const withWorld = async (options: FaultWorldOptions, run: (world: FaultWorld) => Promise<void>) => {
  const world = await startFaultWorld(options);
  try {
    await run(world);
  } finally {
    await world.close();
  }
};

/** 150 repositories at Security Hub's real quotas: a sync of about 15 s, so "mid-run" is easy to hit. */
const LARGE = { repositories: 150, sandbox: { aws: { rateLimits: true } } } as const;

const untilRecorded = async (world: FaultWorld, count: number) => {
  while ((await world.recorded()) < count) await sleep(50);
};

describe.concurrent('Redis faults mid-run (a private redis-server; the shared one is never touched)', () => {
  it('Redis restarted (its data kept): the service reconnects and finishes, once each', async () => {
    await withWorld({ ...LARGE, seed: 501, redis: { persistent: true } }, async (world) => {
      const service = world.start();
      await untilRecorded(world, Math.floor(world.failing.length * 0.3));
      await world.redis.restart({ downMs: 3_000 });
      await world.waitUntilSettled(120_000, service);
      expectCleanStop(await service.terminate());
      expectExactlyOnce(await world.verdict());
    });
  });

  // FLUSHALL removes the queued repository jobs and the poll job scheduler; the running scheduler notices
  // within a poll interval (at most a minute), restores itself and queues a full read (src/cli/run-command.ts).
  it('Redis flushed: the running service notices and finishes the sync', async () => {
    await withWorld({ ...LARGE, seed: 502 }, async (world) => {
      const service = world.start();
      await untilRecorded(world, Math.floor(world.failing.length * 0.3));
      await world.redis.flushAll();
      // polls every 5 s: a service that recovers re-reads everything within a few polls
      await world.waitUntilSettled(60_000, service);
      expectCleanStop(await service.terminate());
      expectExactlyOnce(await world.verdict());
    });
  });

  // The notes in Security Hub carry the ticket and the message, so both are found again, not re-created.
  it('Redis flushed, then the service restarted: no repository gets a second message', async () => {
    await withWorld({ ...LARGE, seed: 503 }, async (world) => {
      const first = world.start();
      await untilRecorded(world, Math.floor(world.failing.length * 0.3));
      await world.redis.flushAll();
      expectCleanStop(await first.terminate());
      const service = world.start();
      await world.waitUntilSettled(90_000, service);
      expectCleanStop(await service.terminate());
      expectExactlyOnce(await world.verdict());
    });
  });
});

/** Workflow status of each of a repository's findings in Security Hub. */
const workflowsOf = (world: FaultWorld, arn: string): unknown[] =>
  world.sandbox.aws.securityHub
    .findingsForResource(arn)
    .map((finding) => (finding['Workflow'] as { Status?: unknown } | undefined)?.Status);

const everyIs = (world: FaultWorld, arn: string, status: string) => {
  const statuses = workflowsOf(world, arn);
  return statuses.length > 0 && statuses.every((workflow) => workflow === status);
};

/** The audit trail as security reads it: `GET /api/suppressions`. */
const auditTrail = async (port: number): Promise<Record<string, string>[]> => {
  const answer = await fetch(`http://127.0.0.1:${port}/api/suppressions?status=all&format=json`, {
    headers: { authorization: `Bearer ${SANDBOX_SECRETS.apiToken}` },
  });
  if (answer.status !== 200) throw new Error(`/api/suppressions answered ${answer.status}`);
  return (await answer.json()) as Record<string, string>[];
};

const PEOPLE_AND_DATES = [
  'id',
  'repository',
  'owner',
  'ticket',
  'requestedBy',
  'requestedAt',
  'expiresAt',
  'reviewedBy',
  'reviewedAt',
] as const;

describe('Redis lost with suppressions in place (a private redis-server, no AOF)', () => {
  // Suppressions lived only in Redis: a FLUSHALL left findings SUPPRESSED for ever while tickets reopened.
  // Their Security Hub notes carry each one's audit record, so the next full read rebuilds them.
  it('Redis flushed with suppressions active, pending and expired: trail, findings and reviews come back', async () => {
    const port = await freePort();
    await withWorld(
      { repositories: 8, seed: 504, sandbox: { requireApproval: true }, env: { PORT: String(port) } },
      async (world) => {
        const service = world.start();
        await world.waitUntilSettled(60_000, service);
        const connection = world.redis.client();
        connection.on('error', () => undefined);
        const state = new RedisStateStore(connection, world.prefix);
        try {
          const records = await Promise.all(
            world.failing.slice(0, 3).map((repo) => state.getRecord(repositoryKeyOf(repo.arn))),
          );
          const [active, pending, ending] = records;
          if (!active || !pending || !ending) throw new Error('three failing repositories expected');
          const presses = slackPresses(world.sandbox, port);
          // longer than a note holds beside the record: it comes back cut, and marked so
          const why = (name: string) =>
            `${name}: the vendor's build pipeline re-pushes the floating tag latest every night and our deploy job pins by digest already; the vendor has committed to publishing immutable version tags in their next major release, which we will adopt within the quarter. ${'Context: '.repeat(12)}`;
          for (const record of [active, pending, ending]) {
            await presses.suppress(record, why(record.repository.name));
          }
          const asked = await waitFor('three suppressions, each with its review message', async () => {
            const all = await state.listSuppressions();
            return all.length === 3 && all.every((suppression) => suppression.reviewMessage)
              ? all
              : undefined;
          });
          const of = (record: RepositoryRecord) => {
            const found = asked.find((suppression) => suppression.repository.key === record.repository.key);
            if (!found) throw new Error(`no suppression for ${record.repository.arn}`);
            return found;
          };
          await presses.approve(of(active));
          await presses.approve(of(ending));
          await waitFor('both approved suppressions in effect', () =>
            [active, ending].every((record) => everyIs(world, record.repository.arn, 'SUPPRESSED')),
          );
          await waitFor('the pending request noted on its findings', () =>
            world.sandbox.aws.securityHub
              .findingsForResource(pending.repository.arn)
              .every((finding) =>
                (finding['Note'] as { Text?: string } | undefined)?.Text?.includes(
                  `[suppression ${of(pending).id} status=pending`,
                ),
              ),
          );
          const before = await auditTrail(port);
          expect(before).toHaveLength(3);

          // One end date passes while Redis is gone (the world's clock cannot jump): its notes now say
          // it ended yesterday, as they would read a few weeks on.
          const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
          for (const finding of world.sandbox.aws.securityHub.findingsForResource(ending.repository.arn)) {
            world.sandbox.aws.securityHub.updateFinding(
              String(finding['Id']),
              (stored) => {
                const note = stored['Note'] as { Text: string };
                note.Text = note.Text.replace(/ until=\d{4}-\d{2}-\d{2} /, ` until=${yesterday} `);
              },
              { touch: false },
            );
          }
          const reviewCards = world.sandbox.slack.messagesIn(REVIEW_CHANNEL).length;
          await world.redis.flushAll();
          // A reviewer still holds the pending request's card and presses Approve before any poll has
          // rebuilt anything: the press rebuilds it from the repository's notes, then approves it.
          const ephemerals = world.sandbox.slack.ephemerals.length;
          const reviewer = await presses.approve(of(pending));
          await waitFor('the pending request approved from its old card', async () =>
            (await state.getSuppression(of(pending).id))?.status === 'active' ? true : undefined,
          );
          await waitFor('the reviewer told', () => world.sandbox.slack.ephemerals.length > ephemerals);
          expect(world.sandbox.slack.ephemerals.slice(ephemerals)).toEqual([
            expect.objectContaining({
              user: reviewer,
              text: expect.stringContaining('Suppression approved.'),
            }),
          ]);

          const after = await waitFor(
            'the three suppressions rebuilt, the ended one restoring its findings',
            async () => {
              const trail = await auditTrail(port).catch(() => []);
              return trail.length === 3 &&
                everyIs(world, ending.repository.arn, 'NEW') &&
                trail.some((row) => row['status'] === 'expired')
                ? trail
                : undefined;
            },
            90_000,
          );
          const row = (record: RepositoryRecord, trail: Record<string, string>[]) =>
            trail.find((entry) => entry['repository'] === record.repository.arn) ?? {};
          for (const record of [active, pending, ending]) {
            const was = row(record, before);
            const is = row(record, after);
            for (const field of PEOPLE_AND_DATES) {
              if (field === 'expiresAt' && record === ending) continue;
              if ((field === 'reviewedBy' || field === 'reviewedAt') && record === pending) continue;
              expect(is[field], `${field} of ${record.repository.name}`).toBe(was[field]);
            }
            expect(is['restoredAt']).not.toBe('');
            // cut to fit the note, and marked: ends with an ellipsis, the rest is what was written
            expect(is['justification']?.endsWith('…')).toBe(true);
            expect(was['justification']?.startsWith(is['justification']?.slice(0, -1) ?? '-')).toBe(true);
          }
          expect(row(active, after)['status']).toBe('active');
          expect(row(pending, after)).toMatchObject({ status: 'active', reviewedBy: reviewer });
          expect(row(ending, after)).toMatchObject({
            status: 'expired',
            expiresAt: `${yesterday}T23:59:59.000Z`,
          });

          expect(everyIs(world, active.repository.arn, 'SUPPRESSED')).toBe(true);
          const issueOf = (record: RepositoryRecord) =>
            [...world.sandbox.jira.issues.values()].find((issue) =>
              issue.labels.includes(`hubwarden-${record.repository.key}`),
            );
          await waitFor(
            'the ended suppression’s ticket reopened',
            () => issueOf(ending)?.status.category !== 'done',
          );
          expect(issueOf(active)?.status.name).toBe("Won't Do");

          // the approval pressed on the old card took effect, and that card is still the request's
          await waitFor('the approval pressed after the flush in effect', () =>
            everyIs(world, pending.repository.arn, 'SUPPRESSED'),
          );
          expect((await state.getSuppression(of(pending).id))?.reviewMessage).toEqual(
            of(pending).reviewMessage,
          );
          expect(world.sandbox.slack.messagesIn(REVIEW_CHANNEL)).toHaveLength(reviewCards);

          expectCleanStop(await service.terminate());
          const verdict = await world.verdict();
          expect(verdict.ticketsNotOne).toEqual([]);
          expect(verdict.messagesNotOne).toEqual([]);
          // one card per repository, and one notice: the owner told once that the suppression ended
          const notices = world.sandbox.slack.messages.filter((message) =>
            message.text?.includes(`suppression of ECR.2 for ${ending.repository.name} `),
          );
          expect(notices).toHaveLength(1);
          expect(verdict.messages).toBe(verdict.failing + notices.length);
          expect(verdict.failedJobs).toEqual(
            Object.fromEntries(Object.keys(verdict.failedJobs).map((name) => [name, 0])),
          );
        } finally {
          connection.disconnect();
        }
      },
    );
  });
});
