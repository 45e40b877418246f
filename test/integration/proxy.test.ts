import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { composeService, type Service } from '../../src/app/composition-root.js';
import { createLogger } from '../../src/app/logger.js';
import { createSlackEdge } from '../../src/app/slack-edge.js';
import { loadConfig } from '../../src/config/load-config.js';
import { parseRepositoryArn } from '../../src/core/repository-ref.js';
import { startSandbox, type Sandbox } from '../standins/sandbox.js';
import { buildAppHomeOpenedEvent } from '../standins/slack/index.js';
import { startConnectProxy, type ConnectProxy } from '../support/connect-proxy.js';
import { flushPrefix, REDIS_URL, uniquePrefix } from '../support/redis.js';

const portOf = (url: string): number => Number(new URL(url).port);

describe('a corporate proxy (HTTPS_PROXY / NO_PROXY) carries every provider', () => {
  let sandbox: Sandbox;
  let proxy: ConnectProxy;
  const prefix = uniquePrefix();
  const services: Service[] = [];
  const log = createLogger({ level: 'silent', secrets: [] });

  beforeAll(async () => {
    sandbox = await startSandbox({
      seed: { repositories: 2, findingsPerRepository: 1, seed: 5, teams: ['payments'] },
      slackTransport: 'socket',
    });
    // the AWS SDK reads its stand-in endpoints from the environment, as in production
    Object.assign(process.env, sandbox.aws.env());
    proxy = await startConnectProxy();
  });

  afterAll(async () => {
    await Promise.all(services.map((service) => service.close()));
    await flushPrefix(prefix);
    await proxy.close();
    await sandbox.close();
  });

  const serviceWith = async (proxyEnv: Record<string, string>): Promise<Service> => {
    const config = await loadConfig({
      ...sandbox.env,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'silent',
      ...proxyEnv,
    });
    const service = composeService(config, log);
    services.push(service);
    return service;
  };

  /** One call to each provider through the service's own adapters (STS, Security Hub, AssumeRole + ECR, Jira, Slack). */
  const callEveryProvider = async (service: Service): Promise<void> => {
    await service.aws.callerIdentity();
    for await (const page of service.aws.findingsSource.pages({ controlId: 'ECR.2' })) {
      expect(page).toBeDefined();
      break;
    }
    const repository = parseRepositoryArn(sandbox.seed.repositories[0]?.arn ?? '');
    if (!repository) throw new Error('no seeded repository');
    await service.aws.repositoryRegistry.tags(repository);
    await service.jira.myself();
    await service.slack.identity();
  };

  it('tunnels AWS (STS, Security Hub, member role, ECR), Jira and Slack through CONNECT with its credentials', async () => {
    const service = await serviceWith({ HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url });
    await callEveryProvider(service);
    expect(proxy.tunnelsTo(portOf(sandbox.aws.url))).toBeGreaterThan(0);
    expect(proxy.tunnelsTo(portOf(sandbox.jira.url))).toBeGreaterThan(0);
    expect(proxy.tunnelsTo(portOf(sandbox.slack.url))).toBeGreaterThan(0);
    // the member role was assumed through the proxy as well: every AWS call shares the stand-in's port
    expect(sandbox.aws.calls['sts.AssumeRole'] ?? 0).toBeGreaterThan(0);
    expect([proxy.refused, proxy.forwarded]).toEqual([0, 0]);
  });

  it('opens the Slack Socket Mode WebSocket through the proxy too', async () => {
    const service = await serviceWith({ https_proxy: proxy.url, http_proxy: proxy.url });
    const edge = createSlackEdge(service, log);
    const before = proxy.tunnelsTo(portOf(sandbox.slack.url));
    await edge.start();
    try {
      // apps.connections.open, then the WebSocket upgrade: two tunnels to Slack
      expect(proxy.tunnelsTo(portOf(sandbox.slack.url)) - before).toBeGreaterThanOrEqual(2);
      const ack = await sandbox.slack.socketMode.deliver('events_api', buildAppHomeOpenedEvent('U0NEWBIE'));
      expect(ack.envelopeId).toMatch(/./);
    } finally {
      await edge.stop();
    }
  });

  it('goes direct to the hosts NO_PROXY names (here Jira only, by port) and through the proxy elsewhere', async () => {
    const jiraPort = portOf(sandbox.jira.url);
    const service = await serviceWith({
      HTTPS_PROXY: proxy.url,
      HTTP_PROXY: proxy.url,
      NO_PROXY: `example.internal, 127.0.0.1:${jiraPort}`,
    });
    const jiraBefore = proxy.tunnelsTo(jiraPort);
    const awsBefore = proxy.tunnelsTo(portOf(sandbox.aws.url));
    const slackBefore = proxy.tunnelsTo(portOf(sandbox.slack.url));
    await callEveryProvider(service);
    expect(proxy.tunnelsTo(jiraPort)).toBe(jiraBefore);
    expect(proxy.tunnelsTo(portOf(sandbox.aws.url))).toBeGreaterThan(awsBefore);
    expect(proxy.tunnelsTo(portOf(sandbox.slack.url))).toBeGreaterThan(slackBefore);
  });

  it('refuses a proxy URL that is not http(s) at configuration time', async () => {
    await expect(
      loadConfig({ ...sandbox.env, HTTPS_PROXY: 'socks5://127.0.0.1:1080', LOG_LEVEL: 'silent' }),
    ).rejects.toThrow(/HTTPS_PROXY must be an http:\/\/ or https:\/\/ proxy URL/);
  });
});
