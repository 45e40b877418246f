import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';

type Obj = { [key: string]: unknown };
const isObj = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const get = (value: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>(
    (node, key) => (isObj(node) || Array.isArray(node) ? (node as Obj)[key] : undefined),
    value,
  );

const dir = fileURLToPath(new URL('../../deploy/kubernetes/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

function documentsOf(file: string): Obj[] {
  const docs = parseAllDocuments(readFileSync(dir + file, 'utf8'));
  return docs.map((doc) => {
    expect(doc.errors, `${file}: ${doc.errors.map((e) => e.message).join('; ')}`).toEqual([]);
    const value: unknown = doc.toJS();
    if (!isObj(value)) throw new Error(`${file}: a document is not a mapping`);
    return value;
  });
}

// kustomization.yaml configures kustomize; it is not a Kubernetes object.
const manifests = files
  .filter((file) => file !== 'kustomization.yaml')
  .flatMap((file) => documentsOf(file).map((doc) => ({ file, doc })));
const byKind = (kind: string): Obj[] => manifests.filter((m) => m.doc['kind'] === kind).map((m) => m.doc);
const named = (kind: string, name: string): Obj => {
  const found = byKind(kind).find((d) => get(d, 'metadata', 'name') === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
};

const ROLES = { api: 2, worker: 3, scheduler: 1 } as const;

describe('kubernetes manifests', () => {
  it('every document has apiVersion, kind and a name', () => {
    expect(manifests.length).toBeGreaterThan(8);
    for (const { file, doc } of manifests) {
      expect(doc['apiVersion'], file).toEqual(expect.any(String));
      expect(doc['kind'], file).toEqual(expect.any(String));
      expect(get(doc, 'metadata', 'name'), file).toEqual(expect.any(String));
    }
  });

  it('kustomization lists every manifest except the Secret template', () => {
    const kustomization = parse(readFileSync(dir + 'kustomization.yaml', 'utf8')) as Obj;
    const listed = kustomization['resources'] as string[];
    const expected = files.filter((f) => f !== 'kustomization.yaml' && f !== 'secret.example.yaml');
    expect([...listed].sort()).toEqual(expected.sort());
    expect(listed).not.toContain('secret.example.yaml');
  });

  describe.each(Object.entries(ROLES))('hubwarden-%s', (role, replicas) => {
    const deployment = named('Deployment', `hubwarden-${role}`);
    const pod = get(deployment, 'spec', 'template', 'spec');
    const container = get(pod, 'containers', 0);

    it('runs its role with the expected replicas', () => {
      expect(get(deployment, 'spec', 'replicas')).toBe(replicas);
      expect(get(container, 'args')).toEqual(['run', '--role', role]);
      expect(get(deployment, 'spec', 'selector', 'matchLabels')).toEqual(
        get(deployment, 'spec', 'template', 'metadata', 'labels'),
      );
      expect(get(pod, 'containers')).toHaveLength(1);
    });

    it('probes /healthz for liveness and /readyz for readiness on the http port', () => {
      expect(get(container, 'ports', 0)).toMatchObject({ name: 'http', containerPort: 3000 });
      expect(get(container, 'livenessProbe', 'httpGet')).toEqual({ path: '/healthz', port: 'http' });
      expect(get(container, 'readinessProbe', 'httpGet')).toEqual({ path: '/readyz', port: 'http' });
    });

    it('runs as non-root with a read-only root filesystem and no capabilities', () => {
      expect(get(pod, 'securityContext', 'runAsNonRoot')).toBe(true);
      expect(get(pod, 'securityContext', 'runAsUser')).toBeGreaterThan(0);
      expect(get(pod, 'securityContext', 'seccompProfile', 'type')).toBe('RuntimeDefault');
      expect(get(container, 'securityContext')).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(get(container, 'securityContext', 'capabilities', 'add')).toBeUndefined();
      expect(get(pod, 'hostNetwork')).toBeUndefined();
    });

    it('has resource requests and limits and a 35 s grace period', () => {
      for (const bound of ['requests', 'limits']) {
        expect(get(container, 'resources', bound, 'cpu'), bound).toBeDefined();
        expect(get(container, 'resources', bound, 'memory'), bound).toBeDefined();
      }
      expect(get(pod, 'terminationGracePeriodSeconds')).toBe(35);
    });

    it('takes settings from the ConfigMap and Secret and mounts the owners file read-only', () => {
      expect(get(container, 'envFrom')).toEqual([
        { configMapRef: { name: 'hubwarden-env' } },
        { secretRef: { name: 'hubwarden-secrets' } },
      ]);
      expect(get(container, 'volumeMounts')).toContainEqual({
        name: 'owners',
        mountPath: '/config',
        readOnly: true,
      });
      expect(get(pod, 'volumes')).toContainEqual({ name: 'owners', configMap: { name: 'hubwarden-owners' } });
      expect(get(pod, 'serviceAccountName')).toBe('hubwarden');
    });
  });

  it('replaces the scheduler with Recreate so two never overlap', () => {
    expect(get(named('Deployment', 'hubwarden-scheduler'), 'spec', 'strategy', 'type')).toBe('Recreate');
  });

  it('has disruption budgets for api and worker that select their pods', () => {
    for (const role of ['api', 'worker']) {
      const pdb = named('PodDisruptionBudget', `hubwarden-${role}`);
      const labels = get(named('Deployment', `hubwarden-${role}`), 'spec', 'template', 'metadata', 'labels');
      expect(get(pdb, 'spec', 'selector', 'matchLabels')).toEqual(labels);
    }
  });

  it('exposes the api on port 80 to container port 3000', () => {
    const service = named('Service', 'hubwarden-api');
    expect(get(service, 'spec', 'ports', 0)).toMatchObject({ port: 80, targetPort: 'http' });
    expect(get(service, 'spec', 'selector')).toEqual(
      get(named('Deployment', 'hubwarden-api'), 'spec', 'template', 'metadata', 'labels'),
    );
  });

  it('points HUBWARDEN_CONFIG at the mounted owners file, which is a valid owners file', () => {
    expect(get(named('ConfigMap', 'hubwarden-env'), 'data', 'HUBWARDEN_CONFIG')).toBe(
      '/config/hubwarden.yml',
    );
    const owners = parse(
      get(named('ConfigMap', 'hubwarden-owners'), 'data', 'hubwarden.yml') as string,
    ) as Obj;
    expect(get(owners, 'defaultOwner', 'slackChannel')).toEqual(expect.any(String));
    expect(owners['securityReviewers']).toEqual(expect.any(Array));
  });

  it('keeps secrets out of the ConfigMap and real-looking values out of the Secret template', () => {
    const secret = named('Secret', 'hubwarden-secrets');
    const values = Object.entries(get(secret, 'stringData') as Obj);
    expect(values.map(([key]) => key)).toEqual(
      expect.arrayContaining([
        'SLACK_BOT_TOKEN',
        'SLACK_SIGNING_SECRET',
        'JIRA_API_TOKEN',
        'HUBWARDEN_API_TOKEN',
      ]),
    );
    const realLooking = /xox[abpr]-[0-9A-Za-z]|ATATT|[A-Za-z0-9+/]{32,}|[0-9a-f]{32}/;
    for (const [key, value] of values) {
      expect(String(value), key).toMatch(/<[^>]+>/);
      expect(String(value), key).not.toMatch(realLooking);
    }
    const env = get(named('ConfigMap', 'hubwarden-env'), 'data') as Obj;
    for (const key of Object.keys(env)) expect(key).not.toMatch(/TOKEN|SECRET|PASSWORD|_PAT$|EXTERNAL_ID/);
  });

  it('ships no Redis: Redis is a managed service', () => {
    const images = byKind('Deployment').flatMap((d) =>
      (get(d, 'spec', 'template', 'spec', 'containers') as Obj[]).map((c) => String(c['image'])),
    );
    expect(images.every((image) => image === 'hubwarden')).toBe(true);
    expect(byKind('StatefulSet')).toEqual([]);
  });
});
