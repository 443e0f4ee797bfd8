import { asAdmin, connect, lookalike, outcome, SUBGRAPH_NAMES } from './mysql';

type Urls = Record<(typeof SUBGRAPH_NAMES)[number], string>;

/**
 * The data-ownership rules, checked with real connections as each subgraph's user: its own
 * database fully, nothing else. `setup` makes the users and returns their DATABASE_URLs.
 */
export function describeOwnership(setup: () => Promise<{ prefix: string; urls: Urls }>): void {
  let prefix: string;
  let urls: Urls;

  beforeAll(async () => {
    ({ prefix, urls } = await setup());
    // Something worth stealing in the orders database, and a database that only a wildcard
    // GRANT (shop_products also matching shopXproducts) would expose.
    await asAdmin(async (c) => {
      await c.query(`CREATE TABLE \`${prefix}orders\`.probe (id INT PRIMARY KEY)`);
      await c.query(`INSERT INTO \`${prefix}orders\`.probe VALUES (1)`);
      await c.query(`CREATE DATABASE \`${lookalike(`${prefix}products`)}\``);
    });
  });

  it('gives each subgraph a DATABASE_URL naming its own user and its own database', () => {
    for (const name of SUBGRAPH_NAMES) {
      const url = new URL(urls[name]);
      expect([url.protocol, url.username, url.pathname]).toEqual(['mysql:', `${prefix}${name}`, `/${prefix}${name}`]);
    }
  });

  it('lets the products user create, write and read tables in its own database, and run the start-up CREATE DATABASE IF NOT EXISTS', async () => {
    const connection = await connect(urls.products);
    try {
      await connection.query(`CREATE DATABASE IF NOT EXISTS \`${prefix}products\``);
      await connection.query('CREATE TABLE own (id INT PRIMARY KEY)');
      await connection.query('INSERT INTO own VALUES (7)');
      const [rows] = await connection.query('SELECT id FROM own');
      expect(rows).toEqual([{ id: 7 }]);
    } finally {
      await connection.end();
    }
  });

  it('denies the products user the orders database: connecting to it and reading its tables', async () => {
    expect(await outcome(() => connect(urls.products, `${prefix}orders`).then((c) => c.end()))).toBe('ER_DBACCESS_DENIED_ERROR');
    const connection = await connect(urls.products);
    try {
      expect(await outcome(() => connection.query(`SELECT * FROM \`${prefix}orders\`.probe`))).toBe('ER_TABLEACCESS_DENIED_ERROR');
      expect(await outcome(() => connection.query(`DROP TABLE \`${prefix}orders\`.probe`))).toBe('ER_TABLEACCESS_DENIED_ERROR');
    } finally {
      await connection.end();
    }
  });

  it('keeps every subgraph user out of every other subgraph\'s database', async () => {
    const outcomes: string[] = [];
    for (const user of SUBGRAPH_NAMES) {
      for (const other of SUBGRAPH_NAMES.filter((n) => n !== user)) {
        outcomes.push(`${user}→${other}: ${await outcome(() => connect(urls[user], `${prefix}${other}`).then((c) => c.end()))}`);
      }
    }
    expect(outcomes.every((o) => o.endsWith('ER_DBACCESS_DENIED_ERROR'))).toBe(true);
  });

  it('grants exactly its own database, not names that only match as a GRANT wildcard', async () => {
    expect(await outcome(() => connect(urls.products, lookalike(`${prefix}products`)).then((c) => c.end()))).toBe('ER_DBACCESS_DENIED_ERROR');
  });

  it('lets a subgraph user see only its own database, and create neither databases nor users', async () => {
    const connection = await connect(urls.products);
    try {
      const [rows] = await connection.query('SHOW DATABASES');
      const names = (rows as { Database: string }[]).map((r) => r.Database).sort();
      expect(names).toEqual(['information_schema', `${prefix}products`]);
      expect(await outcome(() => connection.query(`CREATE DATABASE \`${prefix}extra\``))).toBe('ER_DBACCESS_DENIED_ERROR');
      expect(await outcome(() => connection.query(`CREATE USER '${prefix}extra'@'%'`))).toBe('ER_SPECIFIC_ACCESS_DENIED_ERROR');
    } finally {
      await connection.end();
    }
  });
}
