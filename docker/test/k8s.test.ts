import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseDotenv } from './support/compose';
import {
  byKind,
  kubectlAvailable,
  named,
  readKustomization,
  readManifests,
  renderOverlay,
  resourceFiles,
  validate,
  valueOf,
  type K8sObject,
} from './support/k8s';
import { connectionAllowed, ingressAllowed, type Endpoint } from './support/network-policy';
import { envProblems, PROBES, repo, SERVICES, SUBGRAPHS, type Service } from './support/services';

const PUBLISHED_SUPERGRAPH = repo('docker', 'k8s', 'base', 'supergraph', 'supergraph.graphql');

/**
 * The base as the overlays' generators would complete it, for machines without kubectl: the
 * Secrets an overlay's secretGenerator makes from make-secrets.mjs output, and the supergraph
 * ConfigMap of the base's configMapGenerator. Names are left unhashed.
 */
function baseWithGenerated(overlay: string): K8sObject[] {
  const secretsDir = join(mkdtempSync(join(tmpdir(), 'storefront-secrets-')), 'secrets');
  execFileSync(process.execPath, [repo('docker', 'make-secrets.mjs'), 'k8s', overlay, '--out', secretsDir], { stdio: 'ignore' });
  const secrets = (readKustomization(`docker/k8s/overlays/${overlay}`).secretGenerator ?? []).map((generator): K8sObject => {
    const data: Record<string, string> = {};
    for (const entry of generator.files ?? []) {
      const [key, path] = entry.includes('=') ? (entry.split('=') as [string, string]) : [basename(entry), entry];
      data[key] = readFileSync(join(secretsDir, '..', path)).toString('base64');
    }
    for (const path of generator.envs ?? []) {
      for (const [key, value] of Object.entries(parseDotenv(readFileSync(join(secretsDir, '..', path), 'utf8')))) {
        data[key] = Buffer.from(value).toString('base64');
      }
    }
    return { apiVersion: 'v1', kind: 'Secret', metadata: { name: generator.name }, data };
  });
  const supergraph: K8sObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'supergraph' },
    data: { 'supergraph.graphql': readFileSync(PUBLISHED_SUPERGRAPH, 'utf8') },
  };
  const base = resourceFiles().filter((f) => f.includes(join('k8s', 'base'))).flatMap(readManifests);
  return [...base, ...secrets, supergraph];
}

interface Container {
  name: string;
  image: string;
  ports: { name: string; containerPort: number }[];
  env: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: { name: string; key: string } } }[];
  readinessProbe: { httpGet: { path: string; port: string | number } };
  livenessProbe: { httpGet: { path: string; port: string | number } };
  startupProbe?: { httpGet: { path: string; port: string | number }; periodSeconds: number; failureThreshold: number };
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  resources: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean };
  volumeMounts?: { name: string; mountPath: string; subPath?: string }[];
}

const containerOf = (deployment: K8sObject): Container => deployment.spec.template.spec.containers[0];

/** A container's environment as the process sees it, with Secret and ConfigMap references resolved. */
function resolvedEnv(objects: K8sObject[], container: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of container.env) {
    if (variable.value !== undefined) {
      env[variable.name] = variable.value;
      continue;
    }
    const ref = variable.valueFrom?.secretKeyRef ?? variable.valueFrom?.configMapKeyRef;
    const kind = variable.valueFrom?.secretKeyRef ? 'Secret' : 'ConfigMap';
    const source = ref && named(objects, kind, ref.name);
    const value = source && valueOf(source, ref.key);
    if (value === undefined) throw new Error(`${container.name}: ${variable.name} refers to a missing ${kind} key ${ref?.name}/${ref?.key}`);
    env[variable.name] = value;
  }
  return env;
}

const podOf = (objects: K8sObject[], name: string): Endpoint => {
  const workload = objects.find((o) => (o.kind === 'Deployment' || o.kind === 'StatefulSet') && o.metadata.name === name)!;
  return { pod: workload.spec.template.metadata.labels, namespace: workload.metadata.namespace ?? 'default' };
};

/** What every rendering of the setup must satisfy, whatever the environment. */
function describeDeployment(label: string, load: () => K8sObject[], options: { minReplicas: number }) {
  describe(label, () => {
    let objects: K8sObject[];
    beforeAll(() => {
      objects = load();
    });

    it('validates against the Kubernetes API schemas (kubernetes-models)', () => {
      expect(validate(objects)).toEqual([]);
    });

    it('deploys exactly the router and the four subgraphs', () => {
      expect(byKind(objects, 'Deployment').map((d) => d.metadata.name).sort()).toEqual(SERVICES.map((s) => s.name).sort());
    });

    describe.each(SERVICES)('the $name Deployment', (svc: Service) => {
      const deployment = () => named(objects, 'Deployment', svc.name)!;
      const container = () => containerOf(deployment());

      it('listens on its contract port, named http, and probes readiness on /ready and liveness on /health there', () => {
        expect(container().ports).toEqual([{ name: 'http', containerPort: svc.port }]);
        expect(resolvedEnv(objects, container()).PORT).toBe(String(svc.port));
        expect(container().readinessProbe.httpGet).toEqual({ path: PROBES.readiness, port: 'http' });
        expect(container().livenessProbe.httpGet).toEqual({ path: PROBES.liveness, port: 'http' });
      });

      it('gives start-up (migrations, seeding) its own probe, so liveness cannot kill a slow first start', () => {
        const startup = container().startupProbe!;
        expect(startup.httpGet).toEqual({ path: PROBES.liveness, port: 'http' });
        expect(startup.periodSeconds * startup.failureThreshold).toBeGreaterThanOrEqual(60);
      });

      it('has an environment its env schema accepts in production, every variable known to it', () => {
        const env = resolvedEnv(objects, container());
        expect(env.NODE_ENV).toBe('production');
        expect(envProblems(svc, env)).toEqual([]);
      });

      it('requests CPU and memory and caps memory', () => {
        const { requests, limits } = container().resources;
        expect(requests?.cpu).toBeDefined();
        expect(requests?.memory).toBeDefined();
        expect(limits?.memory).toBeDefined();
      });

      it('rolls out without losing capacity: a new pod is ready before an old one stops', () => {
        expect(deployment().spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
        expect(deployment().spec.minReadySeconds).toBeGreaterThan(0);
      });

      it('waits longer before SIGKILL than the preStop pause plus the drain (SHUTDOWN_GRACE_SECONDS)', () => {
        const env = resolvedEnv(objects, container());
        const grace = (svc.envSchema.parse({ ...env, NODE_ENV: 'test' }) as { SHUTDOWN_GRACE_SECONDS: number }).SHUTDOWN_GRACE_SECONDS;
        const command = container().lifecycle?.preStop?.exec?.command ?? [];
        const pause = command[0] === 'sleep' ? Number(command[1]) : 0;
        expect(deployment().spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(pause + grace);
      });

      it('leaves the replica count to its autoscaler', () => {
        expect(deployment().spec.replicas).toBeUndefined();
        const hpa = named(objects, 'HorizontalPodAutoscaler', svc.name)!;
        expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: svc.name });
        expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(options.minReplicas);
        expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
      });

      it('has a disruption budget over its pods that still lets a node drain', () => {
        const pdb = named(objects, 'PodDisruptionBudget', svc.name)!;
        expect(pdb.spec.selector.matchLabels).toEqual(deployment().spec.selector.matchLabels);
        const hpa = named(objects, 'HorizontalPodAutoscaler', svc.name)!;
        if (pdb.spec.minAvailable !== undefined) expect(pdb.spec.minAvailable).toBeLessThan(hpa.spec.minReplicas);
        else expect(pdb.spec.maxUnavailable).toBeGreaterThanOrEqual(1);
      });

      it('is reached through a Service on its port, selecting its pods', () => {
        const service = named(objects, 'Service', svc.name)!;
        expect(service.spec.ports).toEqual([{ name: 'http', port: svc.port, targetPort: 'http' }]);
        expect(deployment().spec.template.metadata.labels).toMatchObject(service.spec.selector);
      });

      it('runs as a non-root user on a read-only root file system, with a writable data folder', () => {
        expect(deployment().spec.template.spec.securityContext.runAsNonRoot).toBe(true);
        expect(container().securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
        expect(container().volumeMounts).toEqual(expect.arrayContaining([{ name: 'data', mountPath: '/app/.data' }]));
      });

      it('holds the token signing key only if it is users', () => {
        const names = container().env.map((e) => e.name);
        expect(names.includes('JWT_PRIVATE_KEY')).toBe(svc.name === 'users');
        expect(names).toContain('JWT_PUBLIC_KEY');
      });

      if (svc.kind === 'subgraph') {
        it('reads its DATABASE_URL from a Secret of its own, naming its own database', () => {
          const ref = container().env.find((e) => e.name === 'DATABASE_URL')!.valueFrom!.secretKeyRef!;
          expect(ref.name.startsWith(`${svc.name}-database`)).toBe(true);
          expect(new URL(resolvedEnv(objects, container()).DATABASE_URL!).pathname).toMatch(new RegExp(`^/[A-Za-z0-9_]*${svc.name}$`));
        });
      }
    });

    it('signs and verifies tokens with one key pair', () => {
      const jwt = byKind(objects, 'Secret').find((s) => s.metadata.name.startsWith('jwt'))!;
      const derived = createPublicKey(createPrivateKey(valueOf(jwt, 'JWT_PRIVATE_KEY')!)).export({ type: 'spki', format: 'pem' });
      expect(derived.toString().trim()).toBe(valueOf(jwt, 'JWT_PUBLIC_KEY')!.trim());
    });

    it('gives every service the same SERVICE_SECRET from one Secret', () => {
      const secrets = new Set(SERVICES.map((svc) => resolvedEnv(objects, containerOf(named(objects, 'Deployment', svc.name)!)).SERVICE_SECRET));
      expect(secrets.size).toBe(1);
      expect([...secrets][0]!.length).toBeGreaterThanOrEqual(32);
    });

    it('routes the router to each subgraph by its Service name and port', () => {
      const env = resolvedEnv(objects, containerOf(named(objects, 'Deployment', 'router')!));
      for (const svc of SUBGRAPHS) {
        const url = new URL(env[`${svc.name.toUpperCase()}_URL`]!);
        expect(named(objects, 'Service', url.hostname)?.spec.ports[0].port).toBe(Number(url.port));
        expect(url.pathname).toBe('/graphql');
      }
    });

    it('mounts the published supergraph ConfigMap (a folder, no subPath, so updates reach the file) at SUPERGRAPH_PATH', () => {
      const router = named(objects, 'Deployment', 'router')!;
      const path = resolvedEnv(objects, containerOf(router)).SUPERGRAPH_PATH!;
      const mount = containerOf(router).volumeMounts!.find((m) => path.startsWith(`${m.mountPath}/`))!;
      expect(mount.subPath).toBeUndefined();
      const volume = router.spec.template.spec.volumes.find((v: { name: string }) => v.name === mount.name);
      const configMap = named(objects, 'ConfigMap', volume.configMap.name)!;
      // A fixed name: a new supergraph updates this ConfigMap in place and the routers reload it.
      expect(configMap.metadata.name).toBe('supergraph');
      expect(configMap.data![path.slice(mount.mountPath.length + 1)]).toBe(readFileSync(PUBLISHED_SUPERGRAPH, 'utf8'));
    });

    describe('network policies', () => {
      // A pod of another namespace, whose own egress no policy here restricts.
      const outsider: Endpoint = { pod: { app: 'intruder' }, namespace: 'other-team' };

      it('deny everything not allowed, for every pod', () => {
        const deny = named(objects, 'NetworkPolicy', 'default-deny')!;
        expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
      });

      it('let the router reach each subgraph on its port, and only there', () => {
        const router = podOf(objects, 'router');
        for (const svc of SUBGRAPHS) {
          expect(connectionAllowed(objects, router, podOf(objects, svc.name), svc.port)).toBe(true);
          expect(connectionAllowed(objects, router, podOf(objects, svc.name), 22)).toBe(false);
        }
      });

      /** The calls between subgraphs: the checkout saga's stock reservations and addReview's product lookup. */
      const serviceApi = (source: Service, target: Service) => (source.name === 'orders' || source.name === 'reviews') && target.name === 'products';

      it('let orders reach products (the checkout\'s stock reservations), and products not reach orders', () => {
        expect(connectionAllowed(objects, podOf(objects, 'orders'), podOf(objects, 'products'), 4002)).toBe(true);
        expect(connectionAllowed(objects, podOf(objects, 'products'), podOf(objects, 'orders'), 4004)).toBe(false);
      });

      it('let reviews reach products (addReview\'s product lookup), and products not reach reviews', () => {
        expect(connectionAllowed(objects, podOf(objects, 'reviews'), podOf(objects, 'products'), 4002)).toBe(true);
        expect(connectionAllowed(objects, podOf(objects, 'products'), podOf(objects, 'reviews'), 4003)).toBe(false);
      });

      it('let nothing else but the router reach a subgraph: not another subgraph, not another pod', () => {
        for (const target of SUBGRAPHS) {
          for (const source of SUBGRAPHS.filter((s) => s !== target && !serviceApi(s, target))) {
            expect(connectionAllowed(objects, podOf(objects, source.name), podOf(objects, target.name), target.port)).toBe(false);
            // Refused by the target too, not only by the source's egress.
            expect(ingressAllowed(objects, podOf(objects, source.name), podOf(objects, target.name), target.port)).toBe(false);
          }
          expect(connectionAllowed(objects, outsider, podOf(objects, target.name), target.port)).toBe(false);
        }
      });

      it('let every pod resolve names through cluster DNS', () => {
        const dns: Endpoint = { pod: { 'k8s-app': 'kube-dns' }, namespace: 'kube-system' };
        for (const svc of SERVICES) expect(connectionAllowed(objects, podOf(objects, svc.name), dns, 53)).toBe(true);
      });

      it('keep the subgraphs and the router off the internet', () => {
        for (const svc of SERVICES) expect(connectionAllowed(objects, podOf(objects, svc.name), { ip: '1.1.1.1' }, 443)).toBe(false);
      });
    });
  });
}

describe('Kubernetes manifests, file by file', () => {
  it.each(resourceFiles().map((f) => [f.slice(repo().length + 1), f]))('%s validates against the Kubernetes API schemas', (_, file) => {
    const objects = readManifests(file);
    expect(objects.length).toBeGreaterThan(0);
    expect(validate(objects)).toEqual([]);
  });

  it('commit no secret: no Secret object and no private key in any committed file', () => {
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', 'docker'], { cwd: repo(), encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
    for (const file of files) {
      const text = readFileSync(repo(file), 'utf8');
      expect([file, /-----BEGIN [A-Z ]*PRIVATE KEY-----\s*\n[A-Za-z0-9+/]/.test(text)]).toEqual([file, false]);
      if (/\.ya?ml$/.test(file)) expect([file, /^kind:\s*Secret\s*$/m.test(text)]).toEqual([file, false]);
    }
  });

  it('keep the secrets make-secrets.mjs writes out of git', () => {
    for (const path of ['docker/.env', 'docker/k8s/overlays/dev/secrets/jwt-private.pem', 'docker/k8s/overlays/prod/secrets/users-database.env']) {
      expect(() => execFileSync('git', ['check-ignore', '--quiet', '--no-index', path], { cwd: repo() })).not.toThrow();
    }
  });
});

describe('the published supergraph (docker/k8s/base/supergraph/supergraph.graphql)', () => {
  it('is a supergraph the router can serve, composed of the four subgraphs', () => {
    const names = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', `import { validateSupergraph } from ${JSON.stringify(repo('docker', 'k8s', 'publish-supergraph.mjs'))}; import { readFileSync } from 'node:fs'; console.log(JSON.stringify(validateSupergraph(readFileSync(${JSON.stringify(PUBLISHED_SUPERGRAPH)}, 'utf8'))))`],
      { encoding: 'utf8' },
    );
    const configured = (JSON.parse(readFileSync(repo('schema', 'subgraphs.json'), 'utf8')) as { subgraphs: { name: string }[] }).subgraphs.map((s) => s.name);
    expect((JSON.parse(names) as string[]).sort()).toEqual(configured.sort());
    expect(configured.sort()).toEqual(SUBGRAPHS.map((s) => s.name).sort());
  });

  it('is generated into a ConfigMap with a fixed name, so an update reaches running routers in place', () => {
    const generator = readKustomization('docker/k8s/base').configMapGenerator!.find((g) => g.name === 'supergraph')!;
    expect(generator.files).toEqual(['supergraph.graphql=supergraph/supergraph.graphql']);
    expect(generator.options?.disableNameSuffixHash).toBe(true);
  });

  it('is refused by the publish script when invalid, leaving the published copy alone', () => {
    const before = readFileSync(PUBLISHED_SUPERGRAPH, 'utf8');
    const bad = join(mkdtempSync(join(tmpdir(), 'storefront-bad-')), 'supergraph.graphql');
    writeFileSync(bad, 'type Query { broken: String }');
    expect(() => execFileSync(process.execPath, [repo('docker', 'k8s', 'publish-supergraph.mjs'), bad], { stdio: 'pipe' })).toThrow(/Not published/);
    expect(readFileSync(PUBLISHED_SUPERGRAPH, 'utf8')).toBe(before);
  });
});

describeDeployment('the base, completed by the dev overlay\'s generators (no kubectl needed)', () => baseWithGenerated('dev'), { minReplicas: 2 });

const rendered = kubectlAvailable ? describe : describe.skip;
if (!kubectlAvailable) console.warn('kubectl is not installed: the rendered overlays (docker/k8s/overlays/*) are not checked here');

rendered('with kubectl kustomize', () => {
  describeDeployment('the dev overlay, rendered', () => renderOverlay('dev').objects, { minReplicas: 1 });
  describeDeployment('the prod overlay, rendered', () => renderOverlay('prod', ['--database-host', 'db.example.internal:3306']).objects, { minReplicas: 2 });

  describe('the dev overlay\'s MySQL', () => {
    let objects: K8sObject[];
    let secretsDir: string;
    beforeAll(() => {
      ({ objects, secretsDir } = renderOverlay('dev'));
    });

    it('lets each subgraph, and nothing else, reach it on 3306', () => {
      const mysql = podOf(objects, 'mysql');
      for (const svc of SUBGRAPHS) expect(connectionAllowed(objects, podOf(objects, svc.name), mysql, 3306)).toBe(true);
      expect(connectionAllowed(objects, podOf(objects, 'router'), mysql, 3306)).toBe(false);
      expect(ingressAllowed(objects, podOf(objects, 'router'), mysql, 3306)).toBe(false);
      expect(connectionAllowed(objects, { pod: { app: 'intruder' }, namespace: 'other-team' }, mysql, 3306)).toBe(false);
    });

    it('initialises with the compose stack\'s script, mounted not executable so the entrypoint sources it', () => {
      const statefulSet = named(objects, 'StatefulSet', 'mysql')!;
      const volume = statefulSet.spec.template.spec.volumes.find((v: { name: string }) => v.name === 'init');
      expect(volume.configMap.defaultMode & 0o111).toBe(0);
      const configMap = named(objects, 'ConfigMap', volume.configMap.name)!;
      expect(configMap.data!['10-storefront.sh']).toBe(readFileSync(repo('docker', 'mysql', 'init', '10-storefront.sh'), 'utf8'));
      const mount = statefulSet.spec.template.spec.containers[0].volumeMounts.find((m: { name: string }) => m.name === 'init');
      expect(mount.mountPath).toBe('/docker-entrypoint-initdb.d');
    });

    it('creates the users with the passwords and names in each subgraph\'s DATABASE_URL', () => {
      const statefulSet = named(objects, 'StatefulSet', 'mysql')!;
      const secret = named(objects, 'Secret', statefulSet.spec.template.spec.containers[0].envFrom[0].secretRef.name)!;
      const prefix = valueOf(secret, 'MYSQL_DATABASE_PREFIX') ?? '';
      for (const svc of SUBGRAPHS) {
        const url = new URL(resolvedEnv(objects, containerOf(named(objects, 'Deployment', svc.name)!)).DATABASE_URL!);
        expect(url.host).toBe('mysql:3306');
        expect(named(objects, 'Service', 'mysql')!.spec.ports[0].port).toBe(3306);
        expect([url.username, url.pathname, decodeURIComponent(url.password)]).toEqual([
          `${prefix}${svc.name}`,
          `/${prefix}${svc.name}`,
          valueOf(secret, `${svc.name.toUpperCase()}_DB_PASSWORD`),
        ]);
      }
      expect(readdirSync(secretsDir).sort()).toEqual(
        ['jwt-private.pem', 'jwt-public.pem', 'mysql.env', 'service.env', ...SUBGRAPHS.map((s) => `${s.name}-database.env`)].sort(),
      );
    });
  });

  describe('the prod overlay', () => {
    let objects: K8sObject[];
    beforeAll(() => {
      ({ objects } = renderOverlay('prod', ['--database-host', 'db.example.internal:3306']));
    });

    it('runs released images from the registry, in its own namespace', () => {
      for (const svc of SERVICES) {
        expect(containerOf(named(objects, 'Deployment', svc.name)!).image).toMatch(new RegExp(`^registry\\.example\\.com/storefront/${svc.name}:\\d+\\.\\d+\\.\\d+$`));
      }
      expect(new Set(objects.filter((o) => o.kind !== 'Namespace').map((o) => o.metadata.namespace))).toEqual(new Set(['storefront']));
    });

    it('lets each subgraph reach the managed database server, and not the router', () => {
      const database: Endpoint = { ip: '10.20.0.10' };
      for (const svc of SUBGRAPHS) expect(connectionAllowed(objects, podOf(objects, svc.name), database, 3306)).toBe(true);
      expect(connectionAllowed(objects, podOf(objects, 'router'), database, 3306)).toBe(false);
    });

    it('takes client traffic only from the ingress controller', () => {
      const router = podOf(objects, 'router');
      const controller: Endpoint = { pod: { 'app.kubernetes.io/name': 'ingress-nginx' }, namespace: 'ingress-nginx' };
      const other: Endpoint = { pod: { app: 'intruder' }, namespace: 'other-team' };
      expect(connectionAllowed(objects, controller, router, 4000)).toBe(true);
      expect(connectionAllowed(objects, other, router, 4000)).toBe(false);
      const ingress = named(objects, 'Ingress', 'router')!;
      expect(ingress.spec.rules[0].http.paths[0].backend.service).toEqual({ name: 'router', port: { name: 'http' } });
    });

    it('allows browser origins explicitly (production allows none by default)', () => {
      expect(resolvedEnv(objects, containerOf(named(objects, 'Deployment', 'router')!)).CORS_ORIGINS).toMatch(/^https:\/\//);
    });
  });
});
