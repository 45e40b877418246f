/**
 * The service as the benchmark runs it: a child process of its own (so its peak RSS is its own), started
 * exactly as `hubwarden run --role all` starts it, configured by the environment the parent hands over.
 * IPC: sends `{ type: 'ready', port }`; on `{ type: 'stop' }` stops, sends `{ type: 'stopped', memory }`
 * and exits.
 */
import { createLogger } from '../src/app/logger.js';
import { startService } from '../src/cli/run-command.js';
import { loadConfig } from '../src/config/load-config.js';

export interface ServiceReady {
  readonly type: 'ready';
  readonly port: number;
}
export interface ServiceStopped {
  readonly type: 'stopped';
  readonly memory: NodeJS.MemoryUsage;
}
export type ServiceMessage = ServiceReady | ServiceStopped;

const send = (message: ServiceMessage): Promise<void> =>
  new Promise((resolve) => {
    if (!process.send) throw new Error('bench-service must be started with an IPC channel (fork)');
    process.send(message, undefined, {}, () => resolve());
  });

const main = async () => {
  const config = await loadConfig(process.env);
  const log = createLogger({
    level: config.env.LOG_LEVEL,
    secrets: [process.env.JIRA_API_TOKEN, process.env.SLACK_BOT_TOKEN, process.env.SLACK_SIGNING_SECRET],
  });
  const running = await startService(config, log, 'all');
  process.on('message', (message: { type?: string }) => {
    if (message.type !== 'stop') return;
    void running.stop().then(async () => {
      await send({ type: 'stopped', memory: process.memoryUsage() });
      process.exit(0);
    });
  });
  await send({ type: 'ready', port: running.port });
};

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
