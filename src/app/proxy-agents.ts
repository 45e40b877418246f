import { EnvHttpProxyAgent } from 'undici';
import type { Dispatcher } from 'undici';

import type { Environment } from '../config/environment.js';
import { TunnellingHttpAgent, TunnellingHttpsAgent } from './connect-tunnel.js';

/** `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` as configured (lower-case names win, as in curl and undici). */
export interface ProxySettings {
  readonly httpsProxy: string | undefined;
  readonly httpProxy: string | undefined;
  readonly noProxy: string;
}

export const proxySettingsOf = (
  env: Pick<Environment, 'HTTPS_PROXY' | 'HTTP_PROXY' | 'NO_PROXY'>,
): ProxySettings | undefined =>
  env.HTTPS_PROXY || env.HTTP_PROXY
    ? { httpsProxy: env.HTTPS_PROXY, httpProxy: env.HTTP_PROXY, noProxy: env.NO_PROXY ?? '' }
    : undefined;

const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443 };

/**
 * Whether NO_PROXY exempts a host, by undici's rules (so every provider decides alike): entries split on
 * commas or spaces; `*` exempts everything; `name` or `.name` or `*.name` exempts the name and its
 * subdomains; `name:port` only that port; IP addresses match exactly (no CIDR ranges).
 */
export const bypassesProxy = (hostname: string, port: number, noProxy: string): boolean => {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (noProxy.trim() === '*') return true;
  return noProxy
    .split(/[,\s]/)
    .filter((entry) => entry !== '')
    .some((entry) => {
      const parsed = /^(.+):(\d+)$/.exec(entry);
      const name = (parsed?.[1] ?? entry)
        .replace(/^\*?\./, '')
        .replace(/^\[|\]$/g, '')
        .toLowerCase();
      const onlyPort = parsed?.[2] ? Number(parsed[2]) : 0;
      if (onlyPort !== 0 && onlyPort !== port) return false;
      return host === name || host.endsWith(`.${name}`);
    });
};

/** The proxy a request to `protocol//hostname:port` goes through, or `undefined` for a direct connection. */
export const proxyFor = (
  settings: ProxySettings,
  protocol: string,
  hostname: string,
  port: number,
): URL | undefined => {
  if (bypassesProxy(hostname, port || DEFAULT_PORTS[protocol] || 0, settings.noProxy)) return undefined;
  const proxy = protocol === 'https:' ? (settings.httpsProxy ?? settings.httpProxy) : settings.httpProxy;
  return proxy ? new URL(proxy) : undefined;
};

/**
 * The undici dispatcher for fetch-based providers (Jira, the Slack Web API, the Socket Mode WebSocket):
 * Node's global fetch ignores HTTPS_PROXY, so they pass this one. `undefined` when no proxy is configured.
 */
export const proxyDispatcherFor = (settings: ProxySettings | undefined): Dispatcher | undefined =>
  settings
    ? new EnvHttpProxyAgent({
        // empty strings, not undefined: undici would read process.env again
        httpProxy: settings.httpProxy ?? '',
        httpsProxy: settings.httpsProxy ?? settings.httpProxy ?? '',
        noProxy: settings.noProxy,
      })
    : undefined;

/** Node agents for the AWS SDK's request handler, tunnelling through CONNECT unless NO_PROXY exempts the host. */
export const proxyAgentsFor = (
  settings: ProxySettings | undefined,
): { httpAgent: TunnellingHttpAgent; httpsAgent: TunnellingHttpsAgent } | undefined =>
  settings
    ? {
        httpAgent: new TunnellingHttpAgent((hostname, port) => proxyFor(settings, 'http:', hostname, port)),
        httpsAgent: new TunnellingHttpsAgent((hostname, port) =>
          proxyFor(settings, 'https:', hostname, port),
        ),
      }
    : undefined;
