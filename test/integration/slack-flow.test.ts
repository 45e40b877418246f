import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis } from '../../src/adapters/redis/connection.js';
import { RedisStateStore } from '../../src/adapters/redis/redis-state-store.js';
import { startService, type RunningService } from '../../src/cli/run-command.js';
import { loadConfig } from '../../src/config/load-config.js';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/app/logger.js';
import type { RepositoryRecord } from '../../src/core/ports/state-store.js';
import { repositoryKeyOf } from '../../src/core/repository-ref.js';
import type { SeededRepository } from '../fixtures/seed-sandbox.js';
import { REVIEW_CHANNEL, SANDBOX_SECRETS, startSandbox, teamIds, type Sandbox } from '../standins/sandbox.js';
import {
  buildBlockActionsPayload,
  buildViewSubmissionPayload,
  datepickerValue,
  httpDelivery,
  plainTextInputValue,
  postInteraction,
  SLACK_TRANSPORTS,
  socketDelivery,
} from '../standins/slack/index.js';
import type { SlackDelivery } from '../standins/slack/index.js';
import { flushPrefix, REDIS_URL, uniquePrefix } from '../support/redis.js';
import { waitFor } from '../support/wait-for.js';

const DAY = 86_400_000;

/** Every mrkdwn text object in a block tree. */
const mrkdwnTexts = (node: unknown): string[] => {
  if (Array.isArray(node)) return node.flatMap(mrkdwnTexts);
  if (!node || typeof node !== 'object') return [];
  const object = node as Record<string, unknown>;
  const own = object['type'] === 'mrkdwn' && typeof object['text'] === 'string' ? [object['text']] : [];
  return [...own, ...Object.values(object).flatMap(mrkdwnTexts)];
};
const day = (offset: number) => new Date(Date.now() + offset * DAY).toISOString().slice(0, 10);

describe.each(SLACK_TRANSPORTS)(
  'Slack over %s: fix, suppress, review, end to end through the real service',
  (transport) => {
    let sandbox: Sandbox;
    let running: RunningService;
    let via: SlackDelivery;
    let state: RedisStateStore;
    const prefix = uniquePrefix();
    const redis = connectRedis(REDIS_URL);
    const logged: string[] = [];

    beforeAll(async () => {
      sandbox = await startSandbox({
        seed: { repositories: 10, findingsPerRepository: 2, seed: 11, teams: ['payments', 'search'] },
        slackTransport: transport,
      });
      Object.assign(process.env, sandbox.env);
      const config = await loadConfig({
        ...sandbox.env,
        REDIS_URL,
        QUEUE_PREFIX: prefix,
        PORT: '0',
        LOG_LEVEL: 'silent',
      });
      // Logs at debug level into memory: the last test scans them for secrets.
      const log = createLogger(
        {
          level: 'debug',
          secrets: [...Object.values(SANDBOX_SECRETS), sandbox.aws.credentials.secretAccessKey],
        },
        new Writable({
          write(chunk: Buffer, _encoding, done) {
            logged.push(chunk.toString());
            done();
          },
        }),
      );
      running = await startService(config, log, 'all');
      await running.slackConnected;
      via =
        transport === 'http'
          ? httpDelivery(`http://127.0.0.1:${running.port}/slack/events`, SANDBOX_SECRETS.signingSecret)
          : socketDelivery(sandbox.slack);
      state = new RedisStateStore(redis, prefix);
      const failing = sandbox.seed.repositories.filter((repository) => repository.compliance === 'FAILED');
      await waitFor('a message per failing repository', async () => {
        const records = await Promise.all(
          failing.map((repository) => state.getRecord(repositoryKeyOf(repository.arn))),
        );
        return records.every((record) => record?.message && record.ticket);
      });
    });

    afterAll(async () => {
      await running.stop();
      redis.disconnect();
      await flushPrefix(prefix);
      await sandbox.close();
    });

    const url = () => `http://127.0.0.1:${running.port}/slack/events`;
    const teamRepository = (team: string, skip = 0): SeededRepository => {
      const found = sandbox.seed.repositories.filter(
        (repository) => repository.compliance === 'FAILED' && repository.tags['Owner'] === team,
      )[skip];
      if (!found) throw new Error(`no failing repository owned by ${team}`);
      return found;
    };
    const recordOf = async (repository: SeededRepository): Promise<RepositoryRecord> => {
      const record = await state.getRecord(repositoryKeyOf(repository.arn));
      if (!record?.message) throw new Error('no message record');
      return record;
    };
    const press = async (
      actionId: string,
      userId: string,
      record: RepositoryRecord,
      value = record.repository.key,
    ) =>
      via.interaction(
        buildBlockActionsPayload({
          actionId,
          value,
          userId,
          channelId: record.message?.channel ?? '',
          messageTs: record.message?.ts ?? '',
          triggerId: sandbox.slack.issueTriggerId(),
        }),
      );
    const issueOf = (repository: SeededRepository) =>
      [...sandbox.jira.issues.values()].find((issue) =>
        issue.labels.includes(`hubwarden-${repositoryKeyOf(repository.arn)}`),
      );
    const ephemeralsFor = (user: string) =>
      sandbox.slack.ephemerals.filter((ephemeral) => ephemeral.user === user);

    it('posts one message per repository in its owner channel', async () => {
      const repository = teamRepository('payments');
      const record = await recordOf(repository);
      expect(record.message?.channel).toBe(teamIds('payments').channel);
      expect(
        sandbox.slack
          .messagesIn(teamIds('payments').channel)
          .filter((message) => message.text?.includes(repository.name)),
      ).toHaveLength(1);
    });

    it('refuses Fix from someone who is neither owner nor reviewer, and changes nothing', async () => {
      const repository = teamRepository('payments');
      const record = await recordOf(repository);
      const before = sandbox.aws.calls['ecr.PutImageTagMutability'] ?? 0;
      const answer = await press('hubwarden.fix', teamIds('search').user, record);
      expect(answer.status).toBe(200);
      await waitFor('an ephemeral refusal', () => ephemeralsFor(teamIds('search').user).length > 0);
      expect(sandbox.aws.calls['ecr.PutImageTagMutability'] ?? 0).toBe(before);
      expect(sandbox.aws.ecr.repositoryByArn(repository.arn)?.imageTagMutability).toBe('MUTABLE');
    });

    it('refuses a button whose value names another repository than its message', async () => {
      const pressed = await recordOf(teamRepository('payments'));
      const other = await recordOf(teamRepository('search'));
      await press('hubwarden.fix', teamIds('payments').user, pressed, other.repository.key);
      await waitFor('a refusal', () =>
        ephemeralsFor(teamIds('payments').user).some((e) => e.text?.includes('does not belong')),
      );
      expect(sandbox.aws.ecr.repositoryByArn(other.repository.arn)?.imageTagMutability).toBe('MUTABLE');
    });

    it('fixes on a double click exactly once: immutable, RESOLVED, ticket done with one comment, message updated', async () => {
      const repository = teamRepository('payments');
      const record = await recordOf(repository);
      const owner = teamIds('payments').user;
      const before = sandbox.aws.calls['ecr.PutImageTagMutability'] ?? 0;
      const [first, second] = await Promise.all([
        press('hubwarden.fix', owner, record),
        press('hubwarden.fix', owner, record),
      ]);
      expect([first.status, second.status]).toEqual([200, 200]);
      await waitFor('the ticket closed', () => issueOf(repository)?.status.category === 'done');
      expect(sandbox.aws.ecr.repositoryByArn(repository.arn)?.imageTagMutability).toBe('IMMUTABLE');
      expect((sandbox.aws.calls['ecr.PutImageTagMutability'] ?? 0) - before).toBe(1);
      const fixedComments = issueOf(repository)?.comments.filter((comment) =>
        JSON.stringify(comment.body).includes('Fixed through hubwarden'),
      );
      expect(fixedComments).toHaveLength(1);
      for (const finding of sandbox.aws.securityHub.findingsForResource(repository.arn)) {
        expect((finding['Workflow'] as { Status: string }).Status).toBe('RESOLVED');
        expect((finding['Note'] as { Text: string; UpdatedBy: string }).UpdatedBy).toBe('hubwarden');
      }
      const message = sandbox.slack.message(record.message?.channel ?? '', record.message?.ts ?? '');
      await waitFor('the message to say fixed', () => message?.text?.toLowerCase().includes('fixed'));
    });

    it('refuses a suppression with too short a justification or too late an end, then records a valid one', async () => {
      const repository = teamRepository('search');
      const record = await recordOf(repository);
      const owner = teamIds('search').user;
      await press('hubwarden.suppress', owner, record);
      const opened = await waitFor('the modal', () =>
        sandbox.slack.views.find(
          (view) => view.kind === 'modal' && view.view['callback_id'] === 'hubwarden.suppress',
        ),
      );
      const metadata = String(opened.view['private_metadata']);
      const submit = (justification: string, expires: string | null) =>
        via.interaction(
          buildViewSubmissionPayload({
            callbackId: 'hubwarden.suppress',
            privateMetadata: metadata,
            userId: owner,
            values: {
              justification: { value: plainTextInputValue(justification) },
              expires: { value: datepickerValue(expires) },
            },
          }),
        );
      const short = await submit('too short', day(10));
      expect(short.json()).toMatchObject({
        response_action: 'errors',
        errors: { justification: expect.any(String) },
      });
      const late = await submit(
        'Legacy pipeline re-pushes latest; migration planned for next quarter.',
        day(120),
      );
      expect(late.json()).toMatchObject({
        response_action: 'errors',
        errors: { expires: expect.any(String) },
      });
      const hostile = 'Legacy deploy <!channel> re-tags latest, see <https://evil.example|docs> *now* @here';
      const accepted = await submit(hostile, day(14));
      expect(accepted.status).toBe(200);

      await waitFor('the ticket suppressed', () => issueOf(repository)?.status.name === "Won't Do");
      const comment = issueOf(repository)?.comments.find((candidate) =>
        JSON.stringify(candidate.body).includes('Justification'),
      );
      expect(comment).toBeDefined();
      await waitFor('the findings SUPPRESSED', () =>
        sandbox.aws.securityHub
          .findingsForResource(repository.arn)
          .every((finding) => (finding['Workflow'] as { Status: string }).Status === 'SUPPRESSED'),
      );
      const review = await waitFor('the review message', () => sandbox.slack.messagesIn(REVIEW_CHANNEL)[0]);
      expect(JSON.stringify(review.blocks)).toContain('hubwarden.revoke');
      // Slack parses mentions and links only in mrkdwn; plain_text shows them literally.
      const mrkdwn = mrkdwnTexts(review.blocks).join('\n');
      expect(mrkdwn).not.toMatch(/<!channel>|evil\.example|@here/);
      expect(review.text ?? '').not.toContain('<https://evil.example');
    });

    it('lets only a reviewer revoke: findings back to NEW, ticket reopened, owner told', async () => {
      const repository = teamRepository('search');
      const review = sandbox.slack.messagesIn(REVIEW_CHANNEL)[0];
      if (!review) throw new Error('no review message');
      const [suppression] = await state.listSuppressions();
      if (!suppression) throw new Error('no suppression');
      const revoke = (userId: string) =>
        via.interaction(
          buildBlockActionsPayload({
            actionId: 'hubwarden.revoke',
            value: suppression.id,
            userId,
            channelId: REVIEW_CHANNEL,
            messageTs: review.ts,
            triggerId: sandbox.slack.issueTriggerId(),
          }),
        );
      await revoke(teamIds('search').user);
      await waitFor('a refusal to the owner', () =>
        ephemeralsFor(teamIds('search').user).some((e) => e.text?.includes('reviewers')),
      );
      expect((await state.getSuppression(suppression.id))?.status).toBe('active');

      await revoke('U0SECLEAD');
      await waitFor('the ticket reopened', () => issueOf(repository)?.status.category !== 'done');
      expect((await state.getSuppression(suppression.id))?.status).toBe('revoked');
      await waitFor('the findings back to NEW', () =>
        sandbox.aws.securityHub
          .findingsForResource(repository.arn)
          .every((finding) => (finding['Workflow'] as { Status: string }).Status === 'NEW'),
      );
      await waitFor('the owner told', () =>
        sandbox.slack
          .messagesIn(teamIds('search').channel)
          .some((message) => message.text?.includes('ended')),
      );
    });

    it('serves health, readiness, metrics and the audit trail behind its token', async () => {
      const base = `http://127.0.0.1:${running.port}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(
        /hubwarden_provider_calls_total\{service="jira",operation="create",outcome="ok"\} \d+/,
      );
      expect(metrics).toMatch(/hubwarden_fixes_total\{outcome="succeeded"\} 1/);
      expect(metrics).toMatch(/hubwarden_suppressions\{status="revoked"\} 1/);
      expect(metrics).toMatch(/hubwarden_queue_jobs\{queue="repository",state="failed"\} 0/);
      expect((await fetch(`${base}/api/suppressions`)).status).toBe(401);
      expect(
        (await fetch(`${base}/api/suppressions`, { headers: { authorization: 'Bearer wrong-token-000000' } }))
          .status,
      ).toBe(401);
      const auth = { authorization: `Bearer ${SANDBOX_SECRETS.apiToken}` };
      const json = (await (
        await fetch(`${base}/api/suppressions?status=revoked`, { headers: auth })
      ).json()) as {
        status: string;
        justification: string;
        reviewedBy: string;
      }[];
      expect(json).toHaveLength(1);
      expect(json[0]).toMatchObject({ status: 'revoked', reviewedBy: 'U0SECLEAD' });
      expect(json[0]?.justification).toContain('Legacy deploy');
      const csv = await fetch(`${base}/api/suppressions?format=csv`, { headers: auth });
      expect(csv.headers.get('content-type')).toContain('text/csv');
      expect((await csv.text()).split('\r\n')).toHaveLength(3);
      expect((await fetch(`${base}/api/suppressions?status=bogus`, { headers: auth })).status).toBe(400);
    });

    it.runIf(transport === 'socket')('serves nothing to Slack over HTTP in Socket Mode', async () => {
      const record = await recordOf(teamRepository('search', 1));
      const payload = buildBlockActionsPayload({
        actionId: 'hubwarden.fix',
        value: record.repository.key,
        userId: 'U0SECLEAD',
        channelId: record.message?.channel ?? '',
        messageTs: record.message?.ts ?? '',
        triggerId: sandbox.slack.issueTriggerId(),
      });
      // even a request signed with a secret an attacker guessed finds no route
      const signed = await postInteraction(url(), SANDBOX_SECRETS.signingSecret, payload);
      expect(signed.status).toBe(404);
      expect(sandbox.aws.ecr.repositoryByArn(record.repository.arn)?.imageTagMutability).toBe('MUTABLE');
    });

    it.runIf(transport === 'http')(
      'answers 401 to an unsigned or stale request and changes nothing',
      async () => {
        const record = await recordOf(teamRepository('search', 1));
        const payload = buildBlockActionsPayload({
          actionId: 'hubwarden.fix',
          value: record.repository.key,
          userId: 'U0SECLEAD',
          channelId: record.message?.channel ?? '',
          messageTs: record.message?.ts ?? '',
          triggerId: sandbox.slack.issueTriggerId(),
        });
        const unsigned = await postInteraction(url(), SANDBOX_SECRETS.signingSecret, payload, {
          headers: {},
        });
        const stale = await postInteraction(url(), SANDBOX_SECRETS.signingSecret, payload, {
          timestamp: Math.floor(Date.now() / 1000) - 6 * 60,
        });
        expect([unsigned.status, stale.status]).toEqual([401, 401]);
        expect(sandbox.aws.ecr.repositoryByArn(record.repository.arn)?.imageTagMutability).toBe('MUTABLE');
      },
    );

    it('never logs a secret, after a whole run of fixes, suppressions and reviews', () => {
      const all = logged.join('');
      expect(logged.length).toBeGreaterThan(20);
      for (const secret of [...Object.values(SANDBOX_SECRETS), sandbox.aws.credentials.secretAccessKey]) {
        expect(all).not.toContain(secret);
      }
      expect(all).toContain('"repositoryArn":"arn:aws:ecr:');
    });
  },
);
