#!/usr/bin/env node
// Data ownership in MySQL: creates the four subgraph databases and one database user per subgraph
// with rights on its own database only, then prints the DATABASE_URL each subgraph connects with.
//
//   node scripts/mysql-setup.mjs mysql://root:secret@db.internal:3306 [--prefix shop_] [--rotate]
//   MYSQL_ADMIN_URL=mysql://root@127.0.0.1:3306 node scripts/mysql-setup.mjs
//
// Passwords come from USERS_DB_PASSWORD, PRODUCTS_DB_PASSWORD, REVIEWS_DB_PASSWORD and
// ORDERS_DB_PASSWORD when set; otherwise they are generated and printed once, here, and nowhere
// else. Re-running is safe: existing databases are kept, and an existing user keeps its password
// unless one is given in the environment or --rotate asks for new ones.
// The URLs go to stdout (KEY=value lines, ready for an env file); progress goes to stderr.
// docker/mysql/init/10-storefront.sh does the same in SQL for the compose stack.
import { randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createConnection } from 'mysql2/promise';

export const SUBGRAPHS = ['users', 'products', 'reviews', 'orders'];
// MySQL caps user names at 32 characters (MariaDB at 80); the subgraphs' DATABASE_URL check
// accepts only these characters in a database name.
const MAX_USER_LENGTH = 32;
const NAME = /^[A-Za-z0-9_]*$/;

const USAGE = `Usage: node scripts/mysql-setup.mjs [ADMIN_URL] [options]

  ADMIN_URL              mysql://admin:pass@host:3306 of an account that may create databases
                         and users (or set MYSQL_ADMIN_URL)
  --prefix <p>           prefix of the database and user names (or MYSQL_DATABASE_PREFIX)
  --service-host <h:p>   host:port the subgraphs reach the server at, if not the admin URL's
  --user-host <h>        host part of the created accounts (default '%': from anywhere)
  --rotate               give existing users new generated passwords
  --help                 this text`;

function fail(message) {
  process.stderr.write(`mysql-setup: ${message}\n`);
  process.exit(1);
}

const quoteIdentifier = (name) => `\`${name.replace(/`/g, '``')}\``;
// In GRANT, `_` and `%` in a database name are wildcards: `shop_users` would also match
// `shopXusers`. Escaped, the grant covers exactly one database.
const grantDatabase = (name) => quoteIdentifier(name.replace(/[_%]/g, (c) => `\\${c}`));

/** Reads options from argv and the environment; pure apart from what it is given. */
export function readOptions(argv, env) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      prefix: { type: 'string' },
      'service-host': { type: 'string' },
      'user-host': { type: 'string', default: '%' },
      rotate: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return { help: true };
  const adminUrl = positionals[0] ?? env.MYSQL_ADMIN_URL;
  if (!adminUrl) throw new Error('give the admin URL as an argument or in MYSQL_ADMIN_URL');
  let admin;
  try {
    admin = new URL(adminUrl);
  } catch {
    throw new Error('the admin URL is not a URL (expected mysql://user:pass@host:3306)');
  }
  if (admin.protocol !== 'mysql:') throw new Error('the admin URL must start with mysql://');
  const prefix = values.prefix ?? env.MYSQL_DATABASE_PREFIX ?? '';
  if (!NAME.test(prefix)) throw new Error('the prefix may only hold letters, digits and _');
  for (const name of SUBGRAPHS) {
    if (`${prefix}${name}`.length > MAX_USER_LENGTH) {
      throw new Error(`the prefix is too long: user ${prefix}${name} exceeds ${MAX_USER_LENGTH} characters`);
    }
  }
  const passwords = Object.fromEntries(
    SUBGRAPHS.map((name) => [name, env[`${name.toUpperCase()}_DB_PASSWORD`] || undefined]),
  );
  return {
    help: false,
    adminUrl: admin,
    prefix,
    serviceHost: values['service-host'] ?? admin.host,
    userHost: values['user-host'],
    rotate: values.rotate,
    passwords,
  };
}

/** A password that needs no escaping in a URL, a shell or SQL. */
const generatePassword = () => randomBytes(24).toString('base64url');

async function userExists(connection, user, host) {
  const [rows] = await connection.query('SELECT 1 FROM mysql.user WHERE User = ? AND Host = ?', [user, host]);
  return rows.length > 0;
}

/**
 * Creates (or keeps) each database and its user, grants the user everything on that database and
 * nothing else, and returns what each subgraph needs.
 */
export async function setup(options, log = (line) => process.stderr.write(`${line}\n`)) {
  const connection = await createConnection({ uri: options.adminUrl.toString(), connectTimeout: 10_000 });
  const results = [];
  try {
    for (const name of SUBGRAPHS) {
      const database = `${options.prefix}${name}`;
      const user = database;
      await connection.query(
        `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(database)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
      );
      const exists = await userExists(connection, user, options.userHost);
      const given = options.passwords[name];
      let password = given;
      let state = 'created';
      if (!exists) {
        password ??= generatePassword();
        await connection.query('CREATE USER ?@? IDENTIFIED BY ?', [user, options.userHost, password]);
      } else if (given || options.rotate) {
        password ??= generatePassword();
        await connection.query('ALTER USER ?@? IDENTIFIED BY ?', [user, options.userHost, password]);
        state = 'password changed';
      } else {
        state = 'kept (password unchanged)';
      }
      await connection.query(`GRANT ALL PRIVILEGES ON ${grantDatabase(database)}.* TO ?@?`, [user, options.userHost]);
      log(`${name}: database ${database}, user '${user}'@'${options.userHost}' ${state}`);
      results.push({ name, database, user, password });
    }
  } finally {
    await connection.end();
  }
  return results.map(({ name, database, user, password }) => ({
    name,
    database,
    user,
    // An unchanged password is not known here; the operator keeps the URL from the first run.
    url: `mysql://${encodeURIComponent(user)}:${password ? encodeURIComponent(password) : '<unchanged>'}@${options.serviceHost}/${database}`,
    generated: password !== undefined && password !== options.passwords[name],
  }));
}

async function main() {
  let options;
  try {
    options = readOptions(process.argv.slice(2), process.env);
  } catch (error) {
    fail(`${error.message}\n\n${USAGE}`);
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  let results;
  try {
    results = await setup(options);
  } catch (error) {
    fail(`${error.code ? `${error.code}: ` : ''}${error.message}`);
  }
  if (results.some((r) => r.generated)) {
    process.stderr.write('Generated passwords are shown once, below: store the URLs in your secret store now.\n');
  }
  for (const result of results) {
    process.stdout.write(`${result.name.toUpperCase()}_DATABASE_URL=${result.url}\n`);
  }
}

// Runs as a command; importing it (tests, other scripts) only defines the functions.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) await main();
