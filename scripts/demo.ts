/**
 * `npm run demo`: the whole service against local stand-ins of Security Hub, ECR, STS, Jira and Slack
 * (the same ones the tests use), seeded with findings over two accounts and two regions. Prints what
 * happens, runs a scripted fix and suppression, then keeps running until Ctrl-C.
 */
import { rm } from 'node:fs/promises';
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
import { demoEnvFile, demoTable, writeDemoEnv } from './demo-report.js';
import { terminalFor } from './demo-terminal.js';
import { watchSandbox } from './demo-watch.js';

const terminal = terminalFor(process.stdout);
const { paint } = terminal;
const say = (line: string) => terminal.line(line);
const step = (line: string) => say(`${paint('cyan', '▶')} ${paint('bold', line)}`);
const done = (line: string) => say(`  ${paint('green', '✔')} ${line}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const until = async (
  what: string,
  check: () => unknown | Promise<unknown>,
  timeoutMs = 60_000,
  progress?: () => string | Promise<string>,
) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`demo: gave up waiting for ${what}`);
    if (progress) terminal.progress(paint('dim', await progress()));
    await sleep(100);
  }
};

const main = async () => {
  // The demo runs on whatever Node the machine has; the SDK's advice to upgrade is noise here.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  say(
    `${paint('bold', 'hubwarden demo')}: starting stand-ins for Security Hub, ECR, STS, Jira Cloud and Slack on 127.0.0.1`,
  );
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
  say(paint('dim', `redis: ${redis.origin}`));
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

  const watcher = watchSandbox(sandbox, (event) =>
    say(`${paint(event.source === 'jira' ? 'blue' : 'magenta', event.source.padEnd(5))}  ${event.text}`),
  );
  // Scripted steps print after whatever already happened, so the output reads in order.
  const narrate = (print: (line: string) => void) => (line: string) => {
    watcher.flush();
    print(line);
  };
  const sayNow = narrate(say);
  const stepNow = narrate(step);
  const doneNow = narrate(done);
  const running = await startService(config, log, 'all');
  const origin = `http://127.0.0.1:${running.port}`;
  const events = `${origin}/slack/events`;
  say(`hubwarden running: ${origin} (/healthz /readyz /metrics /slack/events)\n`);

  const envFile = demoEnvFile();
  const shutdown = async () => {
    watcher.stop();
    say('\nstopping…');
    await rm(envFile, { force: true });
    await running.stop();
    cleaner.disconnect();
    await sandbox.close();
    redis.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());

  const failingRecords = () =>
    Promise.all(failing.map((repository) => state.getRecord(repositoryKeyOf(repository.arn))));
  await until(
    'a ticket and a message per failing repository',
    async () => (await failingRecords()).every((record) => record?.ticket && record.message),
    60_000,
    async () => {
      const records = await failingRecords();
      const tickets = records.filter((record) => record?.ticket).length;
      const messages = records.filter((record) => record?.message).length;
      return `… ${tickets}/${failing.length} tickets · ${messages}/${failing.length} messages`;
    },
  );
  sayNow(
    `\n${paint('green', '✔')} ${failing.length} failing repositories: ${sandbox.jira.issues.size} tickets, one message each\n`,
  );

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
  stepNow(`scripted: ${fixer} presses Fix on ${toFix.name} (${toFix.accountId}, ${toFix.region})`);
  const started = Date.now();
  const fixAnswer = await press('hubwarden.fix', fixer, toFix.arn);
  sayNow(`  Slack got its acknowledgement in ${Date.now() - started} ms (HTTP ${fixAnswer.status})`);
  await until(
    'the fix',
    () => sandbox.aws.ecr.repositoryByArn(toFix.arn)?.imageTagMutability === 'IMMUTABLE',
  );
  await until(
    'the fixed ticket',
    async () => (await state.getRecord(repositoryKeyOf(toFix.arn)))?.ticket?.status === 'done',
  );
  doneNow(`${toFix.name}: tags IMMUTABLE (read back), findings RESOLVED, ticket done\n`);

  const suppressor =
    (await state.getRecord(repositoryKeyOf(toSuppress.arn)))?.owner?.slackUsers[0] ?? 'U0SECLEAD';
  stepNow(`scripted: ${suppressor} presses Suppress on ${toSuppress.name} and writes a justification`);
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
        ...(modal ? { viewId: modal.id } : {}),
        userId: suppressor,
        values: {
          justification: { value: plainTextInputValue(justification) },
          expires: { value: datepickerValue(until30) },
        },
      }),
    );
  const refused = await submit('because');
  const refusal = (refused.json() as { errors?: Record<string, string> }).errors?.['justification'];
  sayNow(
    `  a too-short justification is refused in the modal: “${refusal ?? JSON.stringify(refused.json())}”`,
  );
  await submit(
    'Release pipeline still re-pushes :latest for the legacy canary; moving to commit-SHA tags this sprint.',
  );
  await until('the suppression', async () => (await state.listSuppressions()).length > 0);
  await until('the review message', () => sandbox.slack.messagesIn(REVIEW_CHANNEL).length > 0);
  const [suppression] = await state.listSuppressions();
  doneNow(
    `${toSuppress.name}: suppressed until ${suppression?.expiresAt.slice(0, 10)}, findings SUPPRESSED, review message in ${REVIEW_CHANNEL}`,
  );
  const review = sandbox.slack.messagesIn(REVIEW_CHANNEL)[0];
  if (review && suppression) {
    stepNow(`scripted: security reviewer U0SECLEAD approves it`);
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
    doneNow(`approved by U0SECLEAD\n`);
  }

  const passing = failing.find((repository) => repository !== toFix && repository !== toSuppress);
  if (passing) {
    stepNow(`scripted: someone fixes ${passing.name} outside hubwarden; Security Hub reports PASSED`);
    sandbox.aws.securityHub.markRepositoryPassed(passing.arn);
    await until(
      'the next poll to close its ticket',
      async () => (await state.getRecord(repositoryKeyOf(passing.arn)))?.ticket?.status === 'done',
      30_000,
    );
    doneNow(`the next poll closed its ticket\n`);
  }

  watcher.flush();
  const records = await Promise.all(
    sandbox.seed.repositories.map((repository) => state.getRecord(repositoryKeyOf(repository.arn))),
  );
  const suppressions = await state.listSuppressions();
  const { header, rows } = demoTable(records, suppressions);
  terminal.table(header, rows);

  await writeDemoEnv(envFile, env);
  const token = sandbox.env['HUBWARDEN_API_TOKEN'] ?? '';
  say('');
  say('Try it while the demo runs:');
  terminal.verbatim(`  settings   ${envFile}`);
  terminal.verbatim(`  API token  ${token} (a sandbox token)`);
  terminal.verbatim(`  ${paint('bold', `node --env-file=${envFile} bin/hubwarden.js suppressions`)}`);
  terminal.verbatim(
    `  ${paint('bold', `curl -s -H 'Authorization: Bearer ${token}' ${origin}/api/suppressions`)}`,
  );
  say('demo script done; hubwarden keeps polling every 10 s. Ctrl-C to stop.');
};

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
