import { describe, expect, it } from 'vitest';
import { createTerminal, truncate, visibleLength } from '../../scripts/demo-terminal.js';

const terminal = (options: { isTTY: boolean; columns?: number; env?: NodeJS.ProcessEnv }) => {
  let out = '';
  const term = createTerminal({
    isTTY: options.isTTY,
    columns: options.columns,
    env: options.env ?? {},
    write: (text) => (out += text),
  });
  return { term, out: () => out };
};

describe('the demo terminal', () => {
  it('cuts at a word and marks the cut with an ellipsis', () => {
    expect(truncate('the quick brown fox jumps', 12)).toBe('the quick…');
    expect(truncate('short', 12)).toBe('short');
    expect(truncate('averyveryverylongword', 8)).toBe('averyve…');
    expect([...truncate('the quick brown fox jumps', 12)].length).toBeLessThanOrEqual(12);
  });

  it('paints only on a TTY and never with NO_COLOR', () => {
    expect(terminal({ isTTY: true }).term.paint('green', 'ok')).toBe('\u001b[32mok\u001b[39m');
    expect(terminal({ isTTY: false }).term.paint('green', 'ok')).toBe('ok');
    expect(terminal({ isTTY: true, env: { NO_COLOR: '' } }).term.paint('green', 'ok')).toBe('ok');
  });

  it('keeps every line within the width; progress lines only on a TTY and replaced by the next line', () => {
    const plain = terminal({ isTTY: false, columns: 40 });
    plain.term.line('a line that is much too long to fit in forty columns, surely');
    plain.term.progress('… 3/10 tickets');
    expect(plain.out()).toBe('a line that is much too long to fit in…\n');
    const tty = terminal({ isTTY: true, columns: 40 });
    tty.term.progress('… 3/10 tickets');
    tty.term.line('done');
    expect(tty.out()).toBe('… 3/10 tickets\r\u001b[2Kdone\n');
  });

  it('prints commands verbatim, however long', () => {
    const plain = terminal({ isTTY: false, columns: 40 });
    const command = 'node --env-file=/tmp/a-very-long-path/hubwarden-demo.env bin/hubwarden.js suppressions';
    plain.term.verbatim(command);
    expect(plain.out()).toBe(`${command}\n`);
  });

  it('fits a table to the width by shortening its widest column', () => {
    const plain = terminal({ isTTY: false, columns: 40 });
    plain.term.table(
      ['repository', 'owner', 'state'],
      [
        ['payments/very-long-repository-name-indeed', 'payments (tag)', 'failing'],
        ['data/web', 'data (account)', 'fixed'],
      ],
    );
    const lines = plain.out().trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(visibleLength(line)).toBeLessThanOrEqual(40);
    expect(lines[1]).toContain('…');
    expect(lines[2]).toMatch(/^data\/web\s+data \(account\)\s+fixed$/);
  });
});
