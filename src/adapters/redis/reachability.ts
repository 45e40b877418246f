import { Redis } from 'ioredis';
import { HubwardenError } from '../../core/errors.js';

/** `host:port` of a Redis URL, never its user name or password (they may be secrets). */
export const redisTarget = (url: string): string => {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '6379'}`;
  } catch {
    return 'REDIS_URL';
  }
};

/**
 * Why a connection failed, in a few words: the socket error code (`ECONNREFUSED`, `ENOTFOUND`,
 * `ETIMEDOUT`...) or the first line of Redis's own refusal (`WRONGPASS ...`, `NOAUTH ...`).
 */
export const redisFailureReason = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && code !== '') return code;
  return (error.message.split('\n')[0] ?? '').slice(0, 200) || error.name;
};

/** Redis could not be reached: the one line a one-shot command prints before it exits. */
export class RedisUnreachableError extends HubwardenError {
  constructor(
    readonly target: string,
    readonly reason: string,
    cause?: unknown,
  ) {
    super(`redis: unreachable at ${target} (${reason})`, {
      kind: 'retryable',
      code: 'redis.unreachable',
      service: 'redis',
      cause,
    });
  }
}

export type RedisProbe =
  | { readonly reachable: true }
  | { readonly reachable: false; readonly target: string; readonly reason: string };

export interface ProbeOptions {
  /** how long to keep retrying the connection before giving up (a Redis restarting gets this long) */
  readonly retryForMs?: number;
  /** per-attempt limit on the TCP (and TLS) handshake */
  readonly connectTimeoutMs?: number;
}

const DEFAULT_RETRY_FOR_MS = 3_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 3_000;

/**
 * Connects once to the Redis of `url` (a Redis Cluster answers PING on its configuration endpoint too),
 * retrying for a bounded time, and says whether it answered PING. Errors never escape as events: the
 * probe has its own listener, so nothing prints `[ioredis] Unhandled error event`.
 */
export const probeRedis = async (url: string, options: ProbeOptions = {}): Promise<RedisProbe> => {
  const retryForMs = options.retryForMs ?? DEFAULT_RETRY_FOR_MS;
  const startedAt = Date.now();
  let lastError: unknown;
  const probe = new Redis(url, {
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    // a few quick attempts, then give up: a one-shot command must not wait for ever
    retryStrategy: (times) => (Date.now() - startedAt < retryForMs ? Math.min(times * 250, 1_000) : null),
  });
  probe.on('error', (error: unknown) => {
    lastError = error;
  });
  const answered = new Promise<void>((resolve, reject) => {
    probe.once('ready', () => resolve());
    probe.once('end', () => reject(lastError ?? new Error('connection closed')));
  });
  try {
    // connect() rejects on the first failure, but the retry strategy keeps trying until 'end'
    probe.connect().catch(() => undefined);
    await answered;
    await probe.ping();
    return { reachable: true };
  } catch (error) {
    return { reachable: false, target: redisTarget(url), reason: redisFailureReason(lastError ?? error) };
  } finally {
    probe.disconnect();
  }
};
