import { LogLevel } from '@slack/bolt';
import type { Logger as SdkLogger } from '@slack/bolt';

/** The structured logger hubwarden passes in (pino's shape: context object first, then the message). */
export interface SlackLogger {
  debug(context: object, message?: string): void;
  info(context: object, message?: string): void;
  warn(context: object, message?: string): void;
  error(context: object, message?: string): void;
}

export const silentLogger: SlackLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

const textOf = (parts: readonly unknown[]): string =>
  parts
    .map((part) => (part instanceof Error ? part.message : typeof part === 'string' ? part : String(part)))
    .join(' ');

/**
 * Bolt and the Web API client log `(...parts)`; hubwarden logs JSON with a context object. The level is
 * the host logger's business, so `setLevel` only answers what the SDK asks.
 */
export const toSdkLogger = (logger: SlackLogger, source: string): SdkLogger => {
  let level = LogLevel.DEBUG;
  return {
    debug: (...parts: unknown[]) => logger.debug({ source }, textOf(parts)),
    info: (...parts: unknown[]) => logger.info({ source }, textOf(parts)),
    warn: (...parts: unknown[]) => logger.warn({ source }, textOf(parts)),
    error: (...parts: unknown[]) => logger.error({ source }, textOf(parts)),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
};
