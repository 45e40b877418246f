import { SECRET_SETTINGS } from '../config/environment.js';
import { ConfigError, loadConfig, type Config } from '../config/load-config.js';
import { createLogger } from '../app/logger.js';
import type { Logger } from '../core/ports/logger.js';

const EXIT_BAD_CONFIG = 2;

/** Every secret value present in the environment, for the log scrubber. */
const secretValues = (env: Readonly<Record<string, string | undefined>>): string[] =>
  SECRET_SETTINGS.map((name) => env[name]).filter((value): value is string => !!value);

type RawEnvironment = Readonly<Record<string, string | undefined>>;
type Loaded = { readonly env: Pick<Config['env'], 'LOG_LEVEL'> };

/**
 * Loads configuration (all of it by default; `loadScanConfig` for read-only work) or exits 2 with one
 * message naming every bad or missing setting (never a secret value).
 */
export function bootstrap(env: RawEnvironment): Promise<{ config: Config; log: Logger }>;
export function bootstrap<C extends Loaded>(
  env: RawEnvironment,
  load: (env: RawEnvironment) => Promise<C>,
): Promise<{ config: C; log: Logger }>;
export async function bootstrap(
  env: RawEnvironment,
  load: (env: RawEnvironment) => Promise<Loaded> = loadConfig,
): Promise<{ config: Loaded; log: Logger }> {
  try {
    const config = await load(env);
    const log = createLogger({ level: config.env.LOG_LEVEL, secrets: secretValues(env) });
    return { config, log };
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`hubwarden: ${error.message}\n`);
      process.exit(EXIT_BAD_CONFIG);
    }
    throw error;
  }
}
