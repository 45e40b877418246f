import { pino, type DestinationStream } from 'pino';
import type { Logger } from '../core/ports/logger.js';

const REDACTED = '[redacted]';

/**
 * JSON logs on stdout. Secret values are scrubbed from every line as written, wherever they appear
 * (a field, an error message, a URL), not only under known keys.
 */
export const createLogger = (
  options: { level: string; secrets: readonly (string | undefined)[] },
  destination?: DestinationStream,
): Logger => {
  const raw = options.secrets.filter((secret): secret is string => !!secret && secret.length >= 6);
  // A secret with `"` or `\` appears JSON-escaped in the written line: scrub both spellings.
  const secrets = [...new Set(raw.flatMap((secret) => [secret, JSON.stringify(secret).slice(1, -1)]))];
  const scrub = (line: string): string =>
    secrets.reduce((scrubbed, secret) => scrubbed.split(secret).join(REDACTED), line);
  return pino(
    {
      level: options.level,
      base: { service: 'hubwarden' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: {
        paths: ['authorization', 'headers.authorization', 'token', 'password', '*.token', '*.secret'],
        censor: REDACTED,
      },
      hooks: { streamWrite: scrub },
    },
    destination,
  );
};
