/**
 * `npm run demo`: the whole service against local stand-ins of Security Hub, ECR, STS, Jira and Slack
 * (the same ones the tests use), seeded with findings over two accounts and two regions. Prints what
 * happens, runs a scripted fix and suppression, then keeps running until Ctrl-C.
 */
import { connectRedis } from '../src/adapters/redis/connection.js';
import { RedisStateStore } from '../src/adapters/redis/redis-state-store.js';
import { startService } from '../src/cli/run-command.js';
import { loadConfig } from '../src/config/load-config.js';
import { createLogger } from '../src/app/logger.js';
import { repositoryKeyOf } from '../src/core/repository-ref.js';
import { REVIEW_CHANNEL, SANDBOX_SECRETS, startSandbox } from '../test/standins/sandbox.js';
import {
  buildBlockActionsPayload,
  buildViewSubmissionPayload,
  datepickerValue,
  plainTextInputValue,
  postInteraction,
} from '../test/standins/slack/index.js';
import { demoRedis } from './demo-redis.js';
import { watchSandbox } from './demo-watch.js';

const say = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const until = async (what: string, check: () => unknown | Promise<unknown>, timeoutMs = 60_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`demo: gave up waiting for ${what}`);
    await sleep(100);
  }
};

const main = async () => {
  say('hubwarden demo: starting stand-ins for Security Hub, ECR, STS, Jira Cloud and Slack on 127.0.0.1');
  const sandbox = await startSandbox({
    seed: {
      repositories: 14,
      findingsPerRepository: 2,
      seed: 2024,
      passingRatio: 0.15,
      otherControlFindings: 3,
    },
    jiraSearchLagMs: 1_500,
  });
  const failing = sandbox.seed.repositories.filter((repository) => repository.compliance === 'FAILED');
  say(
    `seeded ${sandbox.seed.repositories.length} ECR repositories (${failing.length} failing ECR.2) with ${sandbox.seed.findings} findings ` +
      `in accounts ${sandbox.seed.accounts.join(', ')} and regions ${sandbox.seed.regions.join(', ')}`,
  );
  const redis = await demoRedis();
  say(`redis: ${redis.origin}`);
  const verbose = process.argv.includes('--verbose');
  const env = {
    ...sandbox.env,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: '{hubwarden-demo}',
    PORT: process.env.PORT ?? '0',
    POLL_INTERVAL_SECONDS: '10',
    LOG_LEVEL: verbose ? 'info' : 'warn',
  };
  Object.assign(process.env, env);
  const config = await loadConfig(env);
  const log = createLogger({ level: config.env.LOG_LEVEL, secrets: Object.values(SANDBOX_SECRETS) });

  // A fresh demo each time: forget what an earlier demo left in this prefix.
  const cleaner = connectRedis(redis.url);
  const stale = await cleaner.keys('{hubwarden-demo}*');
  if (stale.length > 0) await cleaner.del(...stale);
  const state = new RedisStateStore(cleaner, '{hubwarden-demo}');

  const watcher = watchSandbox(sandbox, say);
  const running = await startService(config, log, 'all');
  const events = `http://127.0.0.1:${running.port}/slack/events`;
  say(`hubwarden running: http://127.0.0.1:${running.port} (/healthz /readyz /metrics /slack/events)\n`);

  const shutdown = async () => {
    say('\nstopping…');
    watcher.stop();
    await running.stop();
    cleaner.disconnect();
    await sandbox.close();
    redis.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());

  await until('a ticket and a message per failing repository', async () => {
    const records = await Promise.all(
      failing.map((repository) => state.getRecord(repositoryKeyOf(repository.arn))),
    );
    return records.every((record) => record?.ticket && record.message);
  });
  await sleep(400); // let the watcher print what already happened
  say(`\n✔ ${failing.length} failing repositories: ${sandbox.jira.issues.size} tickets, one message each\n`);

  const byTeam = (team: string) =>
    failing.find((repository) =>
      Object.values(repository.tags).some((value) => value.toLowerCase() === team),
    );
  const toFix = byTeam('payments') ?? failing[0];
  const toSuppress =
    failing.find((repository) => repository !== toFix && byTeam('search') === repository) ?? failing[1];
  if (!toFix || !toSuppress) throw new Error('demo: not enough failing repositories');

  const press = async (actionId: string, userId: string, repositoryArn: string) => {
    const record = await state.getRecord(repositoryKeyOf(repositoryArn));
    if (!record?.message) throw new Error('demo: no message to press');
    return postInteraction(
      events,
      SANDBOX_SECRETS.signingSecret,
      buildBlockActionsPayload({
        actionId,
        value: record.repository.key,
        userId,
        channelId: record.message.channel,
        messageTs: record.message.ts,
        triggerId: sandbox.slack.issueTriggerId(),
      }),
    );
  };

  const fixer = (await state.getRecord(repositoryKeyOf(toFix.arn)))?.owner?.slackUsers[0] ?? 'U0SECLEAD';
  say(`▶ scripted: ${fixer} presses Fix on ${toFix.name} (${toFix.accountId}, ${toFix.region})`);
  const started = Date.now();
  const fixAnswer = await press('hubwarden.fix', fixer, toFix.arn);
  say(`  Slack got its acknowledgement in ${Date.now() - started} ms (HTTP ${fixAnswer.status})`);
  await until(
    'the fix',
    () => sandbox.aws.ecr.repositoryByArn(toFix.arn)?.imageTagMutability === 'IMMUTABLE',
  );
  await until(
    'the fixed ticket',
    async () => (await state.getRecord(repositoryKeyOf(toFix.arn)))?.ticket?.status === 'done',
  );
  say(`  ✔ ${toFix.name}: tags IMMUTABLE (read back), findings RESOLVED, ticket done\n`);

  const suppressor =
    (await state.getRecord(repositoryKeyOf(toSuppress.arn)))?.owner?.slackUsers[0] ?? 'U0SECLEAD';
  say(`▶ scripted: ${suppressor} presses Suppress on ${toSuppress.name} and writes a justification`);
  const views = sandbox.slack.views.length;
  await press('hubwarden.suppress', suppressor, toSuppress.arn);
  await until('the modal', () => sandbox.slack.views.length > views);
  const modal = sandbox.slack.views.at(-1);
  const until30 = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  const submit = (justification: string) =>
    postInteraction(
      events,
      SANDBOX_SECRETS.signingSecret,
      buildViewSubmissionPayload({
        callbackId: 'hubwarden.suppress',
        privateMetadata: String(modal?.view['private_metadata'] ?? ''),
        userId: suppressor,
        values: {
          justification: { value: plainTextInputValue(justification) },
          expires: { value: datepickerValue(until30) },
        },
      }),
    );
  const refused = await submit('because');
  say(`  a too-short justification is refused in the modal: ${JSON.stringify(refused.json())}`);
  await submit(
    'Release pipeline still re-pushes :latest for the legacy canary; moving to commit-SHA tags this sprint.',
  );
  await until('the suppression', async () => (await state.listSuppressions()).length > 0);
  await until('the review message', () => sandbox.slack.messagesIn(REVIEW_CHANNEL).length > 0);
  const [suppression] = await state.listSuppressions();
  say(
    `  ✔ ${toSuppress.name}: suppressed until ${suppression?.expiresAt.slice(0, 10)}, findings SUPPRESSED, review message in ${REVIEW_CHANNEL}`,
  );
  const review = sandbox.slack.messagesIn(REVIEW_CHANNEL)[0];
  if (review && suppression) {
    say(`▶ scripted: security reviewer U0SECLEAD approves it`);
    await postInteraction(
      events,
      SANDBOX_SECRETS.signingSecret,
      buildBlockActionsPayload({
        actionId: 'hubwarden.approve',
        value: suppression.id,
        userId: 'U0SECLEAD',
        channelId: REVIEW_CHANNEL,
        messageTs: review.ts,
        triggerId: sandbox.slack.issueTriggerId(),
      }),
    );
    await until(
      'the approval',
      async () => (await state.getSuppression(suppression.id))?.reviewedBy === 'U0SECLEAD',
    );
    say(`  ✔ approved by U0SECLEAD; audit trail: npx hubwarden suppressions, or GET /api/suppressions\n`);
  }

  const passing = failing.find((repository) => repository !== toFix && repository !== toSuppress);
  if (passing) {
    say(`▶ scripted: someone fixes ${passing.name} outside hubwarden; Security Hub reports PASSED`);
    sandbox.aws.securityHub.markRepositoryPassed(passing.arn);
    await until(
      'the next poll to close its ticket',
      async () => (await state.getRecord(repositoryKeyOf(passing.arn)))?.ticket?.status === 'done',
      30_000,
    );
    say(`  ✔ the next poll closed its ticket\n`);
  }
  say('demo script done; hubwarden keeps polling every 10 s. Ctrl-C to stop.');
};

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
