import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * An exported function or constant that no other file names is dead weight: it reads as a public part of
 * its module while nothing depends on it. Types and classes are left alone: one named in an exported
 * signature is exported so that callers can name it.
 */
const EXPORTED_VALUE = /^export\s+(?:async\s+)?(?:const|let|function\*?)\s+([A-Za-z_$][\w$]*)/gm;

const tracked = (...folders: string[]): string[] =>
  execFileSync('git', ['ls-files', '--', ...folders], { encoding: 'utf8' })
    .split('\n')
    .filter((path) => /\.(ts|js|mjs|cjs)$/.test(path));

describe('exports', () => {
  it('every exported function and constant of src/ and workers/ is used by another file (tests and scripts count)', () => {
    const everyFile = tracked('src', 'workers', 'test', 'scripts', 'bin');
    const texts = new Map(everyFile.map((path) => [path, readFileSync(path, 'utf8')]));
    const unused: string[] = [];
    for (const path of tracked('src', 'workers')) {
      for (const match of (texts.get(path) ?? '').matchAll(EXPORTED_VALUE)) {
        const name = match[1] ?? '';
        const named = new RegExp(`\\b${name.replace(/\$/g, '\\$')}\\b`);
        const usedElsewhere = everyFile.some((other) => other !== path && named.test(texts.get(other) ?? ''));
        if (!usedElsewhere) unused.push(`${path}: ${name}`);
      }
    }
    expect(everyFile.length).toBeGreaterThan(100);
    expect(unused).toEqual([]);
  });
});
