import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';

import { composeService, type Service } from '../../src/app/composition-root.js';
import { createLogger } from '../../src/app/logger.js';
import { loadConfig } from '../../src/config/load-config.js';
import { budgetKey, redisBudgets } from '../../src/adapters/redis/redis-budget.js';
import { REVIEW_CHANNEL, startSandbox, type Sandbox } from '../standins/sandbox.js';
import { flushPrefix, REDIS_URL, uniquePrefix } from '../support/redis.js';

describe('the composed service draws every provider budget from Redis, shared by its processes', () => {
  let sandbox: Sandbox;
  const prefix = uniquePrefix();
  const services: Service[] = [];
  const redis = new Redis(REDIS_URL);
  const log = createLogger({ level: 'silent', secrets: [] });

  beforeAll(async () => {
    sandbox = await startSandbox({
      seed: { repositories: 2, findingsPerRepository: 1, seed: 5, teams: ['payments'] },
    });
    Object.assign(process.env, sandbox.aws.env());
  });

  afterAll(async () => {
    await Promise.all(services.map((service) => service.close()));
    await flushPrefix(prefix);
    redis.disconnect();
    await sandbox.close();
  });

  const startProcess = async (): Promise<Service> => {
    const config = await loadConfig({ ...sandbox.env, REDIS_URL, QUEUE_PREFIX: prefix, LOG_LEVEL: 'silent' });
    const service = composeService(config, log);
    services.push(service);
    return service;
  };

  it('keeps the Security Hub, Jira and Slack budgets under the deployment prefix, and a pause holds back the other process', async () => {
    const [first, second] = [await startProcess(), await startProcess()];
    for await (const page of first.aws.findingsSource.pages({ controlId: 'ECR.2' }))
      expect(page).toBeDefined();
    await first.jira.myself();
    if (!first.deps.chat) throw new Error('the service has no chat');
    await first.deps.chat.notify(REVIEW_CHANNEL, 'budget check');
    const account = (await first.aws.callerIdentity()).accountId;
    const jiraSite = new URL(sandbox.env.JIRA_BASE_URL ?? '').host;
    const names = [
      `securityhub:GetFindings:${account}:${first.config.env.SECURITYHUB_REGION ?? first.config.env.AWS_REGION}`,
      `jira:${jiraSite}`,
      `slack:chat.postMessage:${REVIEW_CHANNEL}`,
    ];
    const keys = await redis.keys(`${prefix}:budget:*`);
    for (const name of names) expect(keys).toContain(budgetKey(prefix, name));

    // Jira said 429 with Retry-After to the first process: the second one waits it out as well
    const jiraLimit = { perSecond: first.config.env.JIRA_REQUESTS_PER_SECOND, burst: 10 };
    await redisBudgets(redis, { prefix })(`jira:${jiraSite}`, jiraLimit).pauseFor(600);
    const started = Date.now();
    await second.jira.myself();
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
  });
});
