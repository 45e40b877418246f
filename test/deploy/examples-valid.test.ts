import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseEnvironment } from '../../src/config/environment.js';
import { parseOwnersFile } from '../../src/config/owners-file.js';
import { sourceEnvFile } from '../support/source-env-file.js';

// The shipped examples must pass hubwarden's own validation, so copying them is a working start.
const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string): string => readFileSync(root + file, 'utf8');

describe('shipped examples pass hubwarden validation', () => {
  it('examples/hubwarden.yml', () => {
    expect(parseOwnersFile(read('examples/hubwarden.yml'))).toMatchObject({ ok: true });
  });

  it('the owners file in the Kubernetes ConfigMap', () => {
    const configMap = parse(read('deploy/kubernetes/configmap-owners.yaml')) as {
      data: Record<string, string>;
    };
    expect(parseOwnersFile(configMap.data['hubwarden.yml']!)).toMatchObject({ ok: true });
  });

  it('.env.example', () => {
    expect(parseEnvironment(sourceEnvFile('.env.example', root).env)).toMatchObject({ ok: true });
  });

  it('the Kubernetes ConfigMap and Secret template together', () => {
    const env = parse(read('deploy/kubernetes/configmap-env.yaml')) as { data: Record<string, string> };
    const secret = parse(read('deploy/kubernetes/secret.example.yaml')) as {
      stringData: Record<string, string>;
    };
    expect(parseEnvironment({ ...env.data, ...secret.stringData })).toMatchObject({ ok: true });
  });
});

describe('Slack app manifests', () => {
  type Manifest = {
    oauth_config: unknown;
    features: unknown;
    settings: {
      socket_mode_enabled: boolean;
      event_subscriptions: { request_url?: string; bot_events: string[] };
      interactivity: { is_enabled: boolean; request_url?: string };
    };
  };
  const http = parse(read('deploy/slack-app-manifest.yml')) as Manifest;
  const socket = parse(read('deploy/slack-app-manifest.socket-mode.yml')) as Manifest;

  it('HTTP sends events and interactions to /slack/events', () => {
    expect(http.settings.socket_mode_enabled).toBe(false);
    expect(http.settings.event_subscriptions.request_url).toMatch(/\/slack\/events$/);
    expect(http.settings.interactivity.request_url).toMatch(/\/slack\/events$/);
  });

  it('Socket Mode has no request URL and the same scopes, features and events', () => {
    expect(socket.settings.socket_mode_enabled).toBe(true);
    expect(socket.settings.event_subscriptions.request_url).toBeUndefined();
    expect(socket.settings.interactivity).toEqual({ is_enabled: true });
    expect(socket.oauth_config).toEqual(http.oauth_config);
    expect(socket.features).toEqual(http.features);
    expect(socket.settings.event_subscriptions.bot_events).toEqual(
      http.settings.event_subscriptions.bot_events,
    );
  });
});
