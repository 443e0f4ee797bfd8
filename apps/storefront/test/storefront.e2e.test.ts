import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gql } from '@storefront/testing';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startTestSupergraph, type TestSupergraph } from '../../../router/test/harness';
import { serveStorefront, type ServedStorefront } from './serve-storefront';

/**
 * The storefront in a real browser against the real supergraph: Debian's Chromium, headless, the
 * production build of the app, the four subgraphs on fresh MariaDB databases with the demo data.
 * Screenshots of every step land in test-results/storefront/ (a CI artifact).
 */
const APP_DIR = join(__dirname, '..');
const SHOTS = join(APP_DIR, '..', '..', 'test-results', 'storefront');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const DEMO_USER = { email: 'user2@example.com', password: 'password2' };

let graph: TestSupergraph;
let site: ServedStorefront;
let context: BrowserContext;
let page: Page;
const cleanup: string[] = [];
/** Uncaught exceptions and console errors in any page: a storefront step that "works" with these is broken. */
const browserErrors: string[] = [];

function buildStorefront(): string {
  const outDir = mkdtempSync(join(tmpdir(), 'storefront-build-'));
  cleanup.push(outDir);
  const vite = join(dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
  // A child process: Vite is ESM-only and jest runs this file as CommonJS.
  const run = spawnSync(process.execPath, [vite, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], { cwd: APP_DIR, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`vite build failed:\n${run.stdout}${run.stderr}`);
  return outDir;
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  // Only this run's screenshots: a stale "failed" shot from an earlier run would mislead.
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  const built = buildStorefront();
  graph = await startTestSupergraph('storefront');
  site = await serveStorefront(built, graph.router.url);
  const profile = mkdtempSync(join(tmpdir(), 'storefront-chromium-'));
  cleanup.push(profile);
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1280, height: 900 },
  });
  context.on('weberror', (e) => browserErrors.push(`uncaught: ${e.error().message}`));
  context.on('console', (m) => {
    if (m.type() === 'error') browserErrors.push(`console: ${m.text()} (${m.location().url})`);
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(15_000);
});

afterAll(async () => {
  await context?.close();
  await site?.close();
  await graph?.close();
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
});

/** The product the journey buys: the first listed one that has reviews and stock. */
let chosen: { sku: string; name: string; price: string };

describe('the storefront in Chromium against the real supergraph', () => {
  it('lists a page of products with prices and ratings', async () => {
    await page.goto(site.url);
    const cards = page.getByTestId('product-card');
    await cards.first().waitFor();
    expect(await cards.count()).toBe(12);
    expect(await page.getByText(/^50 products/).count()).toBe(1);
    const reviewed = cards.filter({ has: page.locator('.rating__text') });
    expect(await reviewed.count()).toBeGreaterThan(0);
    const card = reviewed.first();
    chosen = {
      name: (await card.locator('.card__name').innerText()).trim(),
      sku: (await card.locator('.card__sku').innerText()).trim(),
      price: (await card.locator('.price').innerText()).trim(),
    };
    expect(chosen.price).toMatch(/^\$\d+\.\d\d$/);
    expect(await card.locator('.rating__text').innerText()).toMatch(/^\d\.\d \(\d+ reviews?\)$/);
    await shot('01-product-listing');

    await page.getByRole('button', { name: 'Next →' }).click();
    await page.getByText(/· page 2$/).waitFor();
    expect(await cards.count()).toBe(12);
    await page.getByRole('button', { name: '← Previous' }).click();
    await page.getByText(/· page 1$/).waitFor();
  });

  it('opens a product page with its reviews and the shipping estimate from the orders subgraph', async () => {
    await page.getByRole('link', { name: chosen.name }).first().click();
    await page.getByRole('heading', { level: 1, name: chosen.name }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/products/${chosen.sku}`);
    // Free from $100 on, else a cost from price and weight (orders' @requires).
    expect(await page.getByTestId('shipping-estimate').innerText()).toMatch(Number(chosen.price.slice(1)) >= 100 ? /^Free shipping$/ : /^\$\d+\.\d\d estimated$/);
    expect(await page.getByText(/\d+ in stock/).count()).toBe(1);
    const reviews = page.getByTestId('review');
    await reviews.first().waitFor();
    expect(await reviews.count()).toBeGreaterThan(0);
    expect(await reviews.first().getByRole('img', { name: /^[1-5]\.0 out of 5 stars$/ }).count()).toBe(1);
    await shot('02-product-page');
  });

  it('signs in as a demo user, lands on their account page and shows their name in the header', async () => {
    await page.getByRole('link', { name: 'Sign in' }).first().click();
    await page.getByLabel('Email').fill(DEMO_USER.email);
    await page.getByLabel('Password').fill(DEMO_USER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/account');
    await page.getByText('Member since').waitFor();
    expect(await page.locator('.facts').innerText()).toContain(DEMO_USER.email);
    const name = await page.locator('.facts dd').first().innerText();
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).count()).toBe(1);
    await shot('03-signed-in-account');
  });

  it('places an order from the cart with placeOrder and lands on the account page showing it', async () => {
    const token = await page.evaluate(() => (JSON.parse(localStorage.getItem('storefront.session') ?? 'null') as { token: string }).token);
    const stockOf = async () => (await gql(graph.router.url, 'query($sku: String!) { productBySku(sku: $sku) { stock } }', { sku: chosen.sku })).body.data!.productBySku.stock as number;
    const stockBefore = await stockOf();

    await page.goto(`${site.url}/products/${chosen.sku}`);
    await page.getByLabel('Quantity').fill('2');
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByRole('link', { name: 'Go to cart →' }).click();
    await page.getByTestId('cart-line').first().waitFor();
    expect(await page.getByTestId('cart-line').count()).toBe(1);
    expect(await page.getByRole('link', { name: 'Cart (2)' }).count()).toBe(1);
    await shot('04-cart');

    await page.getByRole('button', { name: 'Place order' }).click();
    const placed = page.locator('.order--placed');
    const alert = page.getByRole('alert');
    await placed.or(alert).first().waitFor();
    if (await alert.count()) {
      await shot('05-place-order-failed');
      throw new Error(`placing the order failed: ${await alert.first().innerText()}`);
    }
    const orderId = new URL(page.url()).searchParams.get('placed')!;
    expect(await placed.innerText()).toContain(`2 × ${chosen.name}`);
    expect(await placed.locator('.status').innerText()).toBe('CONFIRMED');
    const unit = Number(chosen.price.slice(1));
    expect(await placed.locator('.order__total').innerText()).toBe(`$${(unit * 2).toFixed(2)}`);
    expect(await page.getByRole('link', { name: 'Cart' }).innerText()).toBe('Cart');
    await shot('05-order-on-account-page');

    // Not just what the page says: the order exists for this buyer and the stock went down.
    const order = await gql(graph.router.url, 'query($id: ID!) { order(id: $id) { status buyer { id } items { quantity product { sku } } } me { id } }', { id: orderId }, { token });
    expect(order.body.errors).toBeUndefined();
    expect(order.body.data!.order).toEqual({ status: 'CONFIRMED', buyer: { id: order.body.data!.me.id }, items: [{ quantity: 2, product: { sku: chosen.sku } }] });
    expect(await stockOf()).toBe(stockBefore - 2);
  });

  it('serves GraphiQL from the router offline, documents the API and runs LogIn from the demo query', async () => {
    const graphiql = await context.newPage();
    await graphiql.setViewportSize({ width: 1440, height: 900 });
    // Any request leaving the machine would fail the offline promise: block everything not local.
    await graphiql.route(/^https?:\/\/(?!127\.0\.0\.1|localhost)/, (route) => {
      browserErrors.push(`external request: ${route.request().url()}`);
      return route.abort();
    });
    await graphiql.goto(new URL('/graphiql', graph.router.url).toString());
    await graphiql.locator('.graphiql-container').waitFor();
    expect(await graphiql.getByText('Signing in: paste a token from logIn into the Headers tab').count()).toBe(1);
    // Put the cursor inside LogIn and run the operation under it.
    const answered = graphiql.waitForResponse((r) => r.url().endsWith('/graphql') && (r.request().postData() ?? '').includes('"operationName":"LogIn"'));
    await graphiql.locator('.graphiql-query-editor .CodeMirror-line', { hasText: 'logIn(email' }).click();
    await graphiql.keyboard.press('Control+Enter');
    const response = (await (await answered).json()) as { data: { logIn: { token: string; user: { email: string } } }; errors?: unknown[] };
    expect(response.data.logIn.user.email).toBe('admin@example.com');
    expect(response.errors ?? []).toEqual([]);
    await graphiql.locator('.graphiql-response', { hasText: response.data.logIn.token.slice(0, 20) }).waitFor();
    await graphiql.keyboard.press('Control+Home');
    await graphiql.getByRole('button', { name: /Show Documentation Explorer/i }).click();
    await graphiql.locator('.graphiql-doc-explorer').getByText('Query', { exact: true }).first().waitFor();
    await graphiql.screenshot({ path: join(SHOTS, '06-graphiql.png') });
    await graphiql.close();
  });

  it('raised no uncaught exception, console error or external request in any page', () => {
    expect(browserErrors).toEqual([]);
  });
});
