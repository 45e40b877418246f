import { describe, expect, it } from 'vitest';

import { bypassesProxy, proxyFor, proxySettingsOf } from '../../src/app/proxy-agents.js';

describe('NO_PROXY rules (the same as undici applies to Jira and Slack)', () => {
  it.each([
    ['jira.internal', 443, 'jira.internal', true],
    ['eu.jira.internal', 443, '.jira.internal', true],
    ['eu.jira.internal', 443, '*.jira.internal', true],
    ['eu.jira.internal', 443, 'jira.internal', true],
    ['notjira.internal', 443, 'jira.internal', false],
    ['jira.internal', 8443, 'jira.internal:443', false],
    ['jira.internal', 443, 'jira.internal:443', true],
    ['10.0.0.5', 443, 'localhost, 10.0.0.5', true],
    ['10.0.0.6', 443, '10.0.0.0/8', false],
    ['sts.amazonaws.com', 443, '*', true],
    ['sts.amazonaws.com', 443, '', false],
    ['STS.AmazonAWS.com', 443, 'amazonaws.com', true],
  ])('%s:%i with NO_PROXY=%j bypasses: %s', (host, port, noProxy, expected) => {
    expect(bypassesProxy(host, port, noProxy)).toBe(expected);
  });

  it('uses HTTPS_PROXY for https, HTTP_PROXY for http, and HTTP_PROXY for https when it is the only one', () => {
    const both = { httpsProxy: 'http://secure:3128', httpProxy: 'http://plain:3128', noProxy: '' };
    expect(proxyFor(both, 'https:', 'slack.com', 443)?.host).toBe('secure:3128');
    expect(proxyFor(both, 'http:', 'jira.internal', 80)?.host).toBe('plain:3128');
    expect(proxyFor({ ...both, httpsProxy: undefined }, 'https:', 'slack.com', 443)?.host).toBe('plain:3128');
    expect(proxyFor({ ...both, noProxy: 'slack.com' }, 'https:', 'slack.com', 443)).toBeUndefined();
    expect(proxySettingsOf({ HTTPS_PROXY: undefined, HTTP_PROXY: undefined, NO_PROXY: 'x' })).toBeUndefined();
  });
});
