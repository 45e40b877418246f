import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/app/logger.js';

const SECRETS = ['FAKESECRET-jira-7c1d', 'xoxb-FAKESECRET-bot', 'FAKESECRET-signing-0a9b'];

const memoryDestination = () => {
  const lines: string[] = [];
  return { lines, write: (line: string) => void lines.push(line) };
};

const expectScrubbed = (lines: readonly string[]) => {
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) {
    expect(line).not.toMatch(/FAKESECRET/);
    expect(() => JSON.parse(line)).not.toThrow();
  }
};

describe('createLogger', () => {
  it('scrubs secret values from messages, fields, nested fields, errors and child bindings', () => {
    const destination = memoryDestination();
    const log = createLogger({ level: 'debug', secrets: [...SECRETS, undefined] }, destination);

    log.info({ url: `https://x.example/?token=${SECRETS[0]}` }, `calling with ${SECRETS[1]}`);
    log.warn({ request: { headers: { 'x-custom': SECRETS[2] }, list: [SECRETS[0]] } }, 'nested');
    log.error({ err: new Error(`auth failed for ${SECRETS[1]}`) }, 'error with a secret in its message');
    log.child({ token2: SECRETS[2] }).debug({}, 'child binding');

    expect(destination.lines).toHaveLength(4);
    expectScrubbed(destination.lines);
    expect(destination.lines.join('\n').match(/\[redacted\]/g)?.length).toBeGreaterThanOrEqual(6);
    const error = JSON.parse(destination.lines[2] ?? '{}') as { err?: { message?: string } };
    expect(error.err?.message).toBe('auth failed for [redacted]');
  });

  it('writes JSON lines with the level name and the service, and honours the level', () => {
    const destination = memoryDestination();
    const log = createLogger({ level: 'warn', secrets: [] }, destination);
    log.info({}, 'hidden');
    log.warn({ repositoryArn: 'arn:aws:ecr:eu-west-1:111111111111:repository/a' }, 'shown');
    expect(destination.lines).toHaveLength(1);
    expect(JSON.parse(destination.lines[0] ?? '{}')).toMatchObject({
      level: 'warn',
      service: 'hubwarden',
      msg: 'shown',
      repositoryArn: 'arn:aws:ecr:eu-west-1:111111111111:repository/a',
    });
  });

  it('redacts well-known credential keys even when their values are not configured secrets', () => {
    const destination = memoryDestination();
    const log = createLogger({ level: 'info', secrets: [] }, destination);
    log.info(
      { authorization: 'Bearer abc123', headers: { authorization: 'Basic zzz' }, slack: { token: 't0k3n' } },
      'keys',
    );
    const line = destination.lines[0] ?? '';
    expect(line).not.toContain('abc123');
    expect(line).not.toContain('zzz');
    expect(line).not.toContain('t0k3n');
  });

  // BUG (src/app/logger.ts:15-16): the scrubber searches the serialised JSON line for the raw secret,
  // but a secret containing `"` or `\` appears there JSON-escaped (`\"`, `\\`) and is written in
  // clear. Operator-chosen secrets (HUBWARDEN_API_TOKEN, MEMBER_ROLE_EXTERNAL_ID) may contain them.
  // Fix: scrub `JSON.stringify(secret).slice(1, -1)` as well as the raw value.
  it('scrubs a secret that JSON escapes', () => {
    const secret = 'FAKESECRET"with\\escapes';
    const destination = memoryDestination();
    const log = createLogger({ level: 'info', secrets: [secret] }, destination);
    log.info({ header: secret }, 'escaped');
    expectScrubbed(destination.lines);
  });
});
