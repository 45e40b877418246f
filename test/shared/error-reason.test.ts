import { describe, expect, it } from 'vitest';
import { networkReason, providerMessage } from '../../src/shared/error-reason.js';

const systemError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('networkReason', () => {
  it('follows fetch’s "fetch failed" to the system error under it', () => {
    const error = new TypeError('fetch failed', {
      cause: systemError('ENOTFOUND', 'getaddrinfo ENOTFOUND jira.acme.example'),
    });
    expect(networkReason(error)).toBe('ENOTFOUND (getaddrinfo ENOTFOUND jira.acme.example)');
  });

  it('follows @slack/web-api’s `original` as well', () => {
    const error = Object.assign(new Error('A request error occurred: fetch failed'), {
      code: 'slack_webapi_request_error',
      original: new TypeError('fetch failed', { cause: systemError('ECONNRESET', 'read ECONNRESET') }),
    });
    expect(networkReason(error)).toBe('ECONNRESET (read ECONNRESET)');
  });

  it('falls back to the deepest message, and says so when there is none', () => {
    expect(networkReason(new Error('socket hang up'))).toBe('socket hang up');
    expect(networkReason(undefined)).toBe('no reason given');
  });
});

describe('providerMessage', () => {
  it('keeps a provider message on one bounded line', () => {
    expect(providerMessage('a\n  b')).toBe('a b');
    expect(providerMessage('x'.repeat(400))).toHaveLength(300);
    expect(providerMessage(undefined)).toBe('');
  });
});
