/**
 * The full read alone: the service (as `hubwarden run` starts it, with the shipped heap flags) reads a
 * large backlog at start-up; the figure is its peak RSS from start until that poll has queued its work.
 * The repositories' work runs meanwhile, as it does in production, and is stopped with the service.
 */
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Queue } from 'bullmq';
import { connectRedis } from '../src/adapters/redis/connection.js';
import { startServiceChild } from './bench-child.js';
import { benchServiceEnv, flushPrefix, seededSandbox, type ScenarioOptions } from './bench-run.js';

export interface ReadResult {
  readonly options: ScenarioOptions;
  readonly findings: number;
  readonly completed: boolean;
  readonly seconds: number;
  readonly peakRssBytes: number;
  readonly logFile: string;
}

export const runFullRead = async (
  options: ScenarioOptions,
  say: (line: string) => void,
): Promise<ReadResult> => {
  const sandbox = await seededSandbox(options);
  const prefix = `{hw-bench-${randomUUID().slice(0, 8)}}`;
  const logFile = join(tmpdir(), `hubwarden-bench-${prefix.slice(1, -1)}.log`);
  const redis = connectRedis(options.redisUrl);
  const poll = new Queue('poll', { connection: redis, prefix });
  try {
    say(`seeded ${sandbox.seed.findings} findings; service log ${logFile}`);
    const started = performance.now();
    const child = await startServiceChild(benchServiceEnv(sandbox, options, prefix), logFile);
    const at = () => (performance.now() - started) / 1000;
    let completed = false;
    let lastReport = 0;
    while (at() * 1000 < options.timeoutMs) {
      child.peakRss();
      completed = ((await poll.getJobCounts('completed')).completed ?? 0) > 0;
      if (completed) break;
      if (at() - lastReport >= 30) {
        lastReport = at();
        say(`  ${at().toFixed(0)} s: ${sandbox.aws.calls['securityhub.GetFindings'] ?? 0} pages read`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const seconds = at();
    const { peakRssBytes } = await child.stop();
    say(`  full read ${completed ? 'done' : 'NOT done'} in ${seconds.toFixed(0)} s`);
    return { options, findings: sandbox.seed.findings, completed, seconds, peakRssBytes, logFile };
  } finally {
    await poll.close();
    redis.disconnect();
    await flushPrefix(options.redisUrl, prefix);
    await sandbox.close();
  }
};
