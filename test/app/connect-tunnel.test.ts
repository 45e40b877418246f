import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { get, type Agent } from 'node:https';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { TunnellingHttpsAgent } from '../../src/app/connect-tunnel.js';
import { startConnectProxy, type ConnectProxy } from '../support/connect-proxy.js';

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** A throwaway self-signed certificate for `localhost` (made here: no key is kept in the repository). */
const selfSignedLocalhost = (): { key: string; cert: string } => {
  const directory = mkdtempSync(join(tmpdir(), 'hubwarden-tls-'));
  const [key, cert] = [join(directory, 'key.pem'), join(directory, 'cert.pem')];
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1'].concat([
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost',
    ]),
    { stdio: 'ignore' },
  );
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
};

const fetchThrough = (agent: Agent, url: string): Promise<string> =>
  new Promise((resolve, reject) => {
    get(url, { agent }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve(body));
    }).on('error', reject);
  });

describe.skipIf(!hasOpenssl)('HTTPS through a CONNECT tunnel (the AWS SDK agent)', () => {
  let proxy: ConnectProxy;
  let server: Server;
  let port: number;
  let cert: string;

  beforeAll(async () => {
    const tls = selfSignedLocalhost();
    cert = tls.cert;
    server = createServer(tls, (_req, res) => res.end('secure hello'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    proxy = await startConnectProxy();
  });

  afterAll(async () => {
    await proxy.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('speaks TLS to the target inside the tunnel and verifies its certificate by name', async () => {
    const agent = new TunnellingHttpsAgent(() => new URL(proxy.url), { ca: cert });
    try {
      expect(await fetchThrough(agent, `https://localhost:${port}/`)).toBe('secure hello');
      expect(proxy.tunnels[`localhost:${port}`]).toBe(1);
    } finally {
      agent.destroy();
    }
  });

  it('refuses a certificate that does not name the host, even through the tunnel', async () => {
    const agent = new TunnellingHttpsAgent(() => new URL(proxy.url), { ca: cert });
    try {
      await expect(fetchThrough(agent, `https://127.0.0.1:${port}/`)).rejects.toThrow(/IP: 127\.0\.0\.1/);
    } finally {
      agent.destroy();
    }
  });

  it('fails with the proxy status, not the credentials, when the proxy refuses', async () => {
    const wrong = new URL(proxy.url);
    wrong.password = 'not-the-password';
    const agent = new TunnellingHttpsAgent(() => wrong, { ca: cert });
    try {
      const failure = fetchThrough(agent, `https://localhost:${port}/`);
      await expect(failure).rejects.toThrow(`proxy refused CONNECT localhost:${port}: HTTP 407`);
      await expect(failure).rejects.not.toThrow(/not-the-password/);
    } finally {
      agent.destroy();
    }
  });
});
