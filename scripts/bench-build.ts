import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Compiles the service and the benchmark's service entry into `.bench-dist/` (git-ignored, same options as
 * the container's build), so the benchmark measures the code the container runs, without tsx loaded.
 */
export const buildServiceForBench = (): void => {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.bench.json'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
};
