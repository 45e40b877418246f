import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * Every rule a file relies on is stated in the repository: in the file itself or in a document under
 * docs/ (or the README). A reference to a specification kept elsewhere, to its numbered sections or to a
 * tracker's issue numbers means nothing to the next reader.
 */
const OUTSIDE_REFERENCES: readonly [string, RegExp][] = [
  ['a specification kept outside', new RegExp(`\\b${'CON'}${'TRACT'}\\b`)],
  ['a numbered section sign', new RegExp(String.fromCharCode(0xa7))],
  ['a folder beside the repository', new RegExp(`\\.\\./${'sha'}${'red'}/[A-Z]`)],
  ['a style guide kept outside', new RegExp(`\\b${'STY'}${'LE'}\\.md\\b`)],
  ['an issue number', new RegExp(`\\b${'iss'}${'ue'} #?\\d+\\b`, 'i')],
];

const FOLDERS = [
  'src',
  'workers',
  'test',
  'docs',
  'scripts',
  'deploy',
  'examples',
  'README.md',
  '.env.example',
  '.ci',
  '.dependency-cruiser.cjs',
  'Dockerfile',
  'docker-compose.yml',
  'package.json',
  'eslint.config.js',
  'vitest.config.ts',
  'vitest.faults.config.ts',
];

const trackedFiles = (): string[] =>
  execFileSync('git', ['ls-files', '--', ...FOLDERS], { encoding: 'utf8' })
    .split('\n')
    .filter((path) => path !== '' && !/\.(png|jpg|gif|ico)$/.test(path));

describe('the repository is self-contained', () => {
  it('cites no document outside it', () => {
    const files = trackedFiles();
    expect(files.length).toBeGreaterThan(100);
    const found: string[] = [];
    for (const path of files) {
      const lines = readFileSync(path, 'utf8').split('\n');
      lines.forEach((line, index) => {
        for (const [what, pattern] of OUTSIDE_REFERENCES)
          if (pattern.test(line)) found.push(`${path}:${index + 1}: ${what}: ${line.trim()}`);
      });
    }
    expect(found).toEqual([]);
  });
});
