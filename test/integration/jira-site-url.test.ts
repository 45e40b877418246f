import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncOnce } from '../../src/cli/sync-command.js';
import { loadConfig } from '../../src/config/load-config.js';
import { silentLogger } from '../../src/core/ports/logger.js';
import { startSandbox, type Sandbox } from '../standins/sandbox.js';
import { flushPrefix, REDIS_URL, uniquePrefix } from '../support/redis.js';

/**
 * Jira Cloud scoped API tokens call https://api.atlassian.com/ex/jira/{cloudId}; people open the site.
 * The API base here is the stand-in, and every link people see must go to JIRA_SITE_URL instead.
 */
describe('ticket links with an API base apart from the site', () => {
  let sandbox: Sandbox;
  const prefix = uniquePrefix();
  const SITE = 'https://acme.atlassian.net';

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: { repositories: 4, findingsPerRepository: 1, seed: 21 } });
    Object.assign(process.env, sandbox.env);
  });
  afterAll(async () => {
    await flushPrefix(prefix);
    await sandbox.close();
  });

  it('Slack messages link the ticket on JIRA_SITE_URL, never on the API base', async () => {
    const config = await loadConfig({
      ...sandbox.env,
      JIRA_SITE_URL: `${SITE}/`,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'silent',
    });
    const { exitCode, summary } = await syncOnce(config, silentLogger);
    expect(exitCode).toBe(0);
    expect(summary.ticketsCreated).toBeGreaterThan(0);
    const cards = sandbox.slack.messages.filter((message) =>
      JSON.stringify(message.blocks).includes('/browse/'),
    );
    expect(cards.length).toBe(summary.ticketsCreated);
    for (const card of cards) {
      const text = JSON.stringify(card.blocks);
      expect(text).toMatch(new RegExp(`${SITE.replace(/\./g, '\\.')}/browse/SEC-\\d+`));
      expect(text).not.toContain(sandbox.jira.url);
    }
  });
});
