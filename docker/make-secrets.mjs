#!/usr/bin/env node
// Makes the secrets a deployment needs, fresh for each environment and never committed:
// the token signing key pair, the secret our services sign their calls to each other with, and
// one MySQL password per subgraph (plus the MySQL root password).
//
//   node docker/make-secrets.mjs compose                 # writes docker/.env for docker/compose.yml
//   node docker/make-secrets.mjs k8s dev                 # writes docker/k8s/overlays/dev/secrets/
//   node docker/make-secrets.mjs k8s prod --database-host db.internal:3306 [--prefix shop_]
//
// Existing files are kept (a new key would invalidate every token, a new password would lock the
// services out of their databases); --force replaces them. --out writes somewhere else.
// The passwords are what docker/mysql/init/10-storefront.sh and scripts/mysql-setup.mjs create the
// database users with: for a server of your own, run
//   env $(cat docker/k8s/overlays/prod/secrets/mysql.env | xargs) node scripts/mysql-setup.mjs <admin URL>
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
export const SUBGRAPHS = ['users', 'products', 'reviews', 'orders'];

/** URL-safe, so it goes into a DATABASE_URL, a shell and SQL without escaping. */
export const password = () => randomBytes(24).toString('base64url');

/** The HMAC secret of calls between our services (the kit wants at least 32 characters). */
export const serviceSecret = () => randomBytes(32).toString('base64url');

export function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** A double-quoted .env value: compose expands \n inside double quotes, so a PEM fits one line. */
const quoted = (value) => `"${value.trimEnd().replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

export function composeEnv() {
  const keys = keyPair();
  const lines = [
    '# docker/.env for docker/compose.yml, made by `node docker/make-secrets.mjs compose`. Secret: never commit.',
    '# See docker/env.example for every setting.',
    `MYSQL_ROOT_PASSWORD=${password()}`,
    ...SUBGRAPHS.map((name) => `${name.toUpperCase()}_DB_PASSWORD=${password()}`),
    `SERVICE_SECRET=${serviceSecret()}`,
    `JWT_PRIVATE_KEY=${quoted(keys.privatePem)}`,
    `JWT_PUBLIC_KEY=${quoted(keys.publicPem)}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** The files the overlay's secretGenerator reads, by file name. */
export function kubernetesSecrets({ databaseHost, prefix }) {
  const keys = keyPair();
  const passwords = Object.fromEntries(SUBGRAPHS.map((name) => [name, password()]));
  const files = {
    'jwt-private.pem': keys.privatePem,
    'jwt-public.pem': keys.publicPem,
    'service.env': `SERVICE_SECRET=${serviceSecret()}\n`,
    'mysql.env': [
      `MYSQL_ROOT_PASSWORD=${password()}`,
      `MYSQL_DATABASE_PREFIX=${prefix}`,
      ...SUBGRAPHS.map((name) => `${name.toUpperCase()}_DB_PASSWORD=${passwords[name]}`),
    ].join('\n') + '\n',
  };
  for (const name of SUBGRAPHS) {
    const database = `${prefix}${name}`;
    files[`${name}-database.env`] = `DATABASE_URL=mysql://${database}:${passwords[name]}@${databaseHost}/${database}\n`;
  }
  return files;
}

function write(path, content, force) {
  if (existsSync(path) && !force) {
    console.error(`kept ${path} (exists; --force replaces it)`);
    return;
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content, { mode: 0o600 });
  console.error(`wrote ${path}`);
}

function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      force: { type: 'boolean', default: false },
      'database-host': { type: 'string', default: 'mysql:3306' },
      prefix: { type: 'string', default: '' },
    },
  });
  const [target, overlay] = positionals;
  if (!/^[A-Za-z0-9_]*$/.test(values.prefix)) throw new Error('--prefix may only hold letters, digits and _');
  if (target === 'compose') {
    write(values.out ?? join(here, '.env'), composeEnv(), values.force);
  } else if (target === 'k8s' && overlay) {
    const dir = values.out ?? join(here, 'k8s', 'overlays', overlay, 'secrets');
    // One set per run: a key pair and passwords that belong together are replaced together.
    if (existsSync(join(dir, 'jwt-private.pem')) && !values.force) {
      console.error(`kept ${dir} (exists; --force replaces every file in it)`);
      return;
    }
    const files = kubernetesSecrets({ databaseHost: values['database-host'], prefix: values.prefix });
    for (const [name, content] of Object.entries(files)) write(join(dir, name), content, true);
  } else {
    console.error('usage: node docker/make-secrets.mjs compose | k8s <overlay> [--database-host h:p] [--prefix p] [--out path] [--force]');
    process.exit(2);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
