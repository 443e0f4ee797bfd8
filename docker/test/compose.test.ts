import { createPrivateKey, createPublicKey } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MYSQL_URL } from '@storefront/testing';
import { environmentOf, interpolatedNames, loadCompose, parseDotenv, seconds, type ComposeFile } from './support/compose';
import { envProblems, PROBES, repo, SERVICES, SUBGRAPHS } from './support/services';

const COMPOSE = repo('docker', 'compose.yml');
const COMPOSE_TEST = repo('docker', 'compose.test.yml');

/** docker/.env as an operator makes it, in a scratch folder. */
function madeEnv(): Record<string, string> {
  const out = join(mkdtempSync(join(tmpdir(), 'storefront-env-')), '.env');
  execFileSync(process.execPath, [repo('docker', 'make-secrets.mjs'), 'compose', '--out', out], { stdio: 'ignore' });
  return parseDotenv(readFileSync(out, 'utf8'));
}

const env = madeEnv();
const { file: compose, missing } = loadCompose(COMPOSE, env);
const deployables = SERVICES.map((s) => s.name);

describe('docker/compose.yml', () => {
  it('interpolates with nothing missing once make-secrets.mjs has written docker/.env', () => {
    expect(missing).toEqual([]);
  });

  it('refuses to start without the secrets, naming the command that makes them', () => {
    const { missing: withoutEnv } = loadCompose(COMPOSE, {});
    const names = new Set(withoutEnv.map((m) => m.split(':')[0]));
    expect([...names].sort()).toEqual(
      ['JWT_PRIVATE_KEY', 'JWT_PUBLIC_KEY', 'MYSQL_ROOT_PASSWORD', 'ORDERS_DB_PASSWORD', 'PRODUCTS_DB_PASSWORD', 'REVIEWS_DB_PASSWORD', 'SERVICE_SECRET', 'USERS_DB_PASSWORD'],
    );
    expect(withoutEnv.every((m) => m.includes('node docker/make-secrets.mjs compose'))).toBe(true);
  });

  it('runs MySQL 8, Redis, the four subgraphs and the router', () => {
    expect(Object.keys(compose.services).sort()).toEqual([...deployables, 'mysql', 'redis'].sort());
    expect(compose.services.mysql!.image).toMatch(/^mysql:8(\.\d+)?$/);
    expect(compose.services.redis!.image).toMatch(/^redis:7/);
  });

  describe.each(SERVICES)('the $name service', (svc) => {
    const definition = () => compose.services[svc.name]!;

    it('has an environment its own env schema accepts, in production, with every variable known to it', () => {
      const environment = environmentOf(definition());
      expect(environment.NODE_ENV).toBe('production');
      expect(envProblems(svc, environment)).toEqual([]);
    });

    it('listens on its contract port, which its healthcheck probes for readiness (/ready)', () => {
      expect(Number(environmentOf(definition()).PORT)).toBe(svc.port);
      expect(definition().healthcheck!.test).toEqual(['CMD', 'node', '/app/healthcheck.mjs', PROBES.readiness]);
    });

    it('gets more time to stop than it takes to drain (SHUTDOWN_GRACE_SECONDS)', () => {
      const grace = (svc.envSchema.parse({ ...environmentOf(definition()), NODE_ENV: 'test' }) as { SHUTDOWN_GRACE_SECONDS: number })
        .SHUTDOWN_GRACE_SECONDS;
      expect(seconds(definition().stop_grace_period!)).toBeGreaterThan(grace);
    });

    it('runs with a read-only root file system', () => {
      expect(definition().read_only).toBe(true);
    });
  });

  describe.each(SUBGRAPHS)('the $name subgraph', (svc) => {
    it('connects to its own database as its own user (prefix + name), on the mysql service', () => {
      const url = new URL(environmentOf(compose.services[svc.name]!).DATABASE_URL!);
      expect(url.hostname).toBe('mysql');
      expect(url.username).toBe(svc.name);
      expect(url.pathname).toBe(`/${svc.name}`);
      expect(decodeURIComponent(url.password)).toBe(env[`${svc.name.toUpperCase()}_DB_PASSWORD`]);
      const prefixed = loadCompose(COMPOSE, { ...env, MYSQL_DATABASE_PREFIX: 'shop_' }).file;
      const prefixedUrl = new URL(environmentOf(prefixed.services[svc.name]!).DATABASE_URL!);
      expect([prefixedUrl.username, prefixedUrl.pathname]).toEqual([`shop_${svc.name}`, `/shop_${svc.name}`]);
    });

    it('starts only once MySQL and Redis are healthy, and is not reachable from the host', () => {
      expect(compose.services[svc.name]!.depends_on).toEqual({ mysql: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
      expect(compose.services[svc.name]!.ports).toBeUndefined();
      expect(compose.services[svc.name]!.networks).not.toContain('edge');
    });

    it('shares signature nonces with its replicas through the Redis the router uses', () => {
      expect(environmentOf(compose.services[svc.name]!).REDIS_URL).toBe(environmentOf(compose.services.router!).REDIS_URL);
      expect(compose.services[svc.name]!.networks).toContain('cache');
    });

    it('is the only holder of the signing key if it is users, and otherwise does not get it', () => {
      expect('JWT_PRIVATE_KEY' in environmentOf(compose.services[svc.name]!)).toBe(svc.name === 'users');
    });
  });

  it('gives MySQL the passwords and prefix its init script creates the users with', () => {
    const mysql = environmentOf(compose.services.mysql!);
    for (const svc of SUBGRAPHS) expect(mysql[`${svc.name.toUpperCase()}_DB_PASSWORD`]).toBe(env[`${svc.name.toUpperCase()}_DB_PASSWORD`]);
    expect('MYSQL_DATABASE_PREFIX' in mysql).toBe(true);
    expect(compose.services.mysql!.volumes).toContain('./mysql/init:/docker-entrypoint-initdb.d:ro');
    expect(existsSync(repo('docker', 'mysql', 'init', '10-storefront.sh'))).toBe(true);
  });

  it('gives every service the same SERVICE_SECRET, long enough for the kit (32+ characters)', () => {
    for (const name of deployables) expect(environmentOf(compose.services[name]!).SERVICE_SECRET).toBe(env.SERVICE_SECRET);
    expect(env.SERVICE_SECRET!.length).toBeGreaterThanOrEqual(32);
  });

  it('signs and verifies tokens with one key pair: the public key is the private key\'s', () => {
    const users = environmentOf(compose.services.users!);
    const derived = createPublicKey(createPrivateKey(users.JWT_PRIVATE_KEY!)).export({ type: 'spki', format: 'pem' }).toString();
    for (const name of deployables) {
      const pem = environmentOf(compose.services[name]!).JWT_PUBLIC_KEY!;
      expect(createPublicKey(pem).export({ type: 'spki', format: 'pem' }).toString()).toBe(derived);
    }
  });

  it('starts the router only after the four subgraphs are ready and Redis is up', () => {
    const dependsOn = compose.services.router!.depends_on!;
    expect(Object.keys(dependsOn).sort()).toEqual([...SUBGRAPHS.map((s) => s.name), 'redis'].sort());
    for (const condition of Object.values(dependsOn)) expect(condition).toEqual({ condition: 'service_healthy' });
  });

  it('gates every depends_on on a service that has a healthcheck', () => {
    for (const [name, definition] of Object.entries(compose.services)) {
      for (const [dependency, { condition }] of Object.entries(definition.depends_on ?? {})) {
        expect([name, dependency, condition]).toEqual([name, dependency, 'service_healthy']);
        expect(compose.services[dependency]?.healthcheck).toBeDefined();
      }
    }
  });

  it('routes the router to each subgraph by service name and contract port', () => {
    const router = environmentOf(compose.services.router!);
    for (const svc of SUBGRAPHS) expect(router[`${svc.name.toUpperCase()}_URL`]).toBe(`http://${svc.name}:${svc.port}/graphql`);
  });

  it('mounts the checkout\'s composed supergraph where SUPERGRAPH_PATH points, so the router can hot-reload it', () => {
    const router = compose.services.router!;
    const [source, target, mode] = router.volumes![0]!.split(':') as [string, string, string];
    expect(mode).toBe('ro');
    const path = environmentOf(router).SUPERGRAPH_PATH!;
    expect(path.startsWith(`${target}/`)).toBe(true);
    expect(existsSync(join(repo('docker'), source, path.slice(target.length + 1)))).toBe(true);
  });

  it('publishes only the router\'s port; subgraphs, MySQL and Redis stay on internal networks', () => {
    const published = Object.entries(compose.services).filter(([, s]) => s.ports?.length).map(([n]) => n);
    expect(published).toEqual(['router']);
    expect(compose.services.router!.ports).toEqual(['4000:4000']);
    const internal = (name: string) => compose.networks?.[name]?.internal === true;
    for (const [name, definition] of Object.entries(compose.services)) {
      if (name !== 'router') expect(definition.networks!.every(internal)).toBe(true);
    }
  });

  it('builds every deployable\'s image from docker/Dockerfile', () => {
    for (const name of deployables) {
      expect(compose.services[name]!.build!.dockerfile).toBe('docker/Dockerfile');
      expect(compose.services[name]!.image).toBe(`storefront/${name}:local`);
    }
  });
});

describe('docker/env.example', () => {
  const example = parseDotenv(readFileSync(repo('docker', 'env.example'), 'utf8'));

  it('documents every variable compose.yml reads, and no other', () => {
    const used = interpolatedNames(readFileSync(COMPOSE, 'utf8'));
    expect(Object.keys(example).sort()).toEqual([...used].sort());
  });

  it('holds placeholders, not usable keys', () => {
    expect(() => createPrivateKey(example.JWT_PRIVATE_KEY!)).toThrow();
  });
});

describe('docker/make-secrets.mjs compose', () => {
  it('makes URL-safe database passwords of at least 16 characters (the init script\'s rule)', () => {
    for (const svc of SUBGRAPHS) expect(env[`${svc.name.toUpperCase()}_DB_PASSWORD`]).toMatch(/^[A-Za-z0-9._~-]{16,}$/);
  });

  it('makes a new key pair each time', () => {
    expect(madeEnv().JWT_PRIVATE_KEY).not.toBe(env.JWT_PRIVATE_KEY);
  });

  it('never overwrites an existing docker/.env', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'storefront-env-')), '.env');
    execFileSync(process.execPath, [repo('docker', 'make-secrets.mjs'), 'compose', '--out', out], { stdio: 'ignore' });
    const first = readFileSync(out, 'utf8');
    execFileSync(process.execPath, [repo('docker', 'make-secrets.mjs'), 'compose', '--out', out], { stdio: 'ignore' });
    expect(readFileSync(out, 'utf8')).toBe(first);
  });
});

describe('docker/compose.test.yml', () => {
  const { file: testStack, missing: testMissing } = loadCompose(COMPOSE_TEST, {});
  const server = new URL(MYSQL_URL);

  it('needs no settings', () => {
    expect(testMissing).toEqual([]);
  });

  it('serves MySQL where the tests look by default, with a password-less root', () => {
    const mysql = testStack.services.mysql!;
    expect(mysql.ports).toEqual([`127.0.0.1:${server.port || '3306'}:3306`]);
    expect(environmentOf(mysql).MARIADB_ALLOW_EMPTY_ROOT_PASSWORD).toBe('1');
    expect(mysql.healthcheck!.test).toContain('ping');
  });

  it('keeps the test data in memory only', () => {
    expect(testStack.services.mysql!.tmpfs).toEqual(['/var/lib/mysql']);
  });

  it('health-checks every service, so `up --wait` returns when the tests can start', () => {
    for (const definition of Object.values(testStack.services as ComposeFile['services'])) expect(definition.healthcheck).toBeDefined();
  });

  it('is the same server family CI runs (MariaDB 10.11)', () => {
    expect(testStack.services.mysql!.image).toBe('mariadb:10.11');
  });
});
