#!/usr/bin/env node
// Runs what this checkout holds. A development checkout (src/ present and tsx installed) runs the
// TypeScript sources through tsx, even when an older `npm run build` left a dist/ behind, so an edit is
// never silently ignored; the container and an installed package (no src/, or no tsx) run dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { followLauncher, reexecWithHeapFlags } from './heap-flags.js';

// The AWS SDK warns on every command under Node.js 20 that its releases after January 2027 will need
// Node.js 22. hubwarden pins the SDK in package-lock.json and states its supported Node.js line in the
// README, so the warning tells an operator nothing to do here. Set the variable to "false" to see it.
if (Number(process.versions.node.split('.')[0]) < 22) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

// Every command runs with the same V8 heap flags, however it was started: when they are missing, this
// script runs itself again with them and only passes signals and the exit code on.
const reexecuted = reexecWithHeapFlags(fileURLToPath(import.meta.url), process.argv.slice(2));
if (!reexecuted) followLauncher();

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sources = join(root, 'src', 'cli', 'main.ts');
const compiled = join(root, 'dist', 'src', 'cli', 'main.js');

const loadTsx = async () => {
  try {
    return await import('tsx/esm/api');
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw error;
  }
};

const tsx = reexecuted || !existsSync(sources) ? undefined : await loadTsx();
if (reexecuted) {
  // the child does the work
} else if (tsx) {
  tsx.register();
  await import(pathToFileURL(sources).href);
} else if (existsSync(compiled)) {
  await import(pathToFileURL(compiled).href);
} else {
  process.stderr.write(
    `hubwarden: nothing to run: neither ${sources} with tsx installed (npm ci) nor ${compiled} (npm run build)\n`,
  );
  process.exit(1);
}
