import { SECRET_SETTINGS } from '../config/environment.js';
import { ConfigError, loadConfig, type Config } from '../config/load-config.js';
import { createLogger } from '../app/logger.js';
import type { Logger } from '../core/ports/logger.js';

export const EXIT_BAD_CONFIG = 2;

/** Every secret value present in the environment, for the log scrubber. */
export const secretValues = (env: Readonly<Record<string, string | undefined>>): string[] =>
  SECRET_SETTINGS.map((name) => env[name]).filter((value): value is string => !!value);

/**
 * Loads configuration or exits 2 with one message naming every bad or missing setting (never a value).
 */
export const bootstrap = async (
  env: Readonly<Record<string, string | undefined>>,
): Promise<{ config: Config; log: Logger }> => {
  try {
    const config = await loadConfig(env);
    const log = createLogger({ level: config.env.LOG_LEVEL, secrets: secretValues(env) });
    return { config, log };
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`hubwarden: ${error.message}\n`);
      process.exit(EXIT_BAD_CONFIG);
    }
    throw error;
  }
};
