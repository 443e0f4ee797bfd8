import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Route } from '@storefront/kit';

/**
 * GraphiQL at `/graphiql`, served from the router's own `node_modules` (GraphiQL 3 and React 18 UMD
 * builds), so exploring works with no internet, unlike Apollo Sandbox on the landing page, which
 * loads from the vendor's CDN. Development only: the caller registers these routes outside production.
 */
export const GRAPHIQL_PATH = '/graphiql';

interface Asset {
  contentType: string;
  read: () => string | Buffer;
}

interface Loaded {
  body: Buffer;
  gzip: Buffer;
  etag: string;
}

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';
const HTML = 'text/html; charset=utf-8';

/** A file of a dependency; packages' `exports` hide their UMD files, but not their package.json. */
function packageFile(name: string, file: string): () => Buffer {
  return () => readFileSync(join(dirname(require.resolve(`${name}/package.json`)), file));
}

const DEMO_QUERY = `# The storefront supergraph, explored offline.
# Docs (top left) describe every type and field.
#
# Signed-in fields (me, orders, placeOrder …):
# 1. Put the cursor in LogIn, press Ctrl-Enter.
#    Demo: admin@example.com / admin-password,
#    user2@example.com / password2 (… user10).
# 2. Copy "token" from the response.
# 3. Headers tab (below) – paste:
#    { "Authorization": "Bearer <the token>" }
# 4. Run Me: it answers as that user.

mutation LogIn {
  logIn(email: "admin@example.com", password: "admin-password") {
    token
    user { id name email }
  }
}

query Me {
  me {
    id
    name
    email
    orders(first: 5) {
      totalCount
      edges { node { id status createdAt total { amountCents currency } } }
    }
  }
}

query Products {
  products(first: 5) {
    totalCount
    edges {
      node {
        sku
        name
        price { amountCents currency }
        shippingEstimate { amountCents currency }
        averageRating
        reviewCount
      }
    }
  }
}
`;

/** Our own script, a file rather than inline, so the page runs under a CSP without 'unsafe-inline' scripts. */
const APP_JS = `(() => {
  // A plain JSON fetcher: the router serves no subscriptions or incremental delivery, and
  // GraphiQL's multipart-capable default shows an empty "errors": [] on every answer.
  const fetcher = async (params, options) => {
    const response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...(options && options.headers) },
      body: JSON.stringify(params),
    });
    return response.json();
  };
  const root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher,
    defaultQuery: ${JSON.stringify(DEMO_QUERY)},
    defaultEditorToolsVisibility: 'headers',
    shouldPersistHeaders: true,
  }));
})();
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GraphiQL · storefront supergraph</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${GRAPHIQL_PATH}/graphiql.min.css">
<style>
  html, body { height: 100%; margin: 0; font-family: system-ui, sans-serif; }
  body { display: flex; flex-direction: column; }
  header { padding: 8px 16px; background: #0b2545; color: #fff; font-size: 14px; line-height: 1.5; }
  header a { color: #8ecae6; }
  header code { background: rgba(255,255,255,.12); padding: 0 4px; border-radius: 3px; }
  header ol { margin: 4px 0; padding-left: 20px; }
  summary { cursor: pointer; }
  #graphiql { flex: 1; min-height: 0; }
</style>
</head>
<body>
<header>
  <strong>Storefront supergraph</strong> · GraphiQL served by the router, works offline ·
  <a href="/graphql">Apollo Sandbox</a> (needs internet) · development only, not served in production
  <details open>
    <summary>Signing in: paste a token from <code>logIn</code> into the Headers tab</summary>
    <ol>
      <li>Run the <code>LogIn</code> operation already in the editor (▶, then pick <code>LogIn</code>).
        Demo accounts: <code>admin@example.com</code> / <code>admin-password</code> (admin),
        <code>user2@example.com</code> / <code>password2</code> … <code>user10@example.com</code> / <code>password10</code>.</li>
      <li>Copy the <code>token</code> from the response.</li>
      <li>Open <strong>Headers</strong> under the editor and paste
        <code>{ "Authorization": "Bearer &lt;the token&gt;" }</code>.</li>
      <li>Run <code>Me</code>: it answers as that user. Tokens expire; log in again when <code>me</code> turns <code>null</code>.</li>
    </ol>
  </details>
</header>
<div id="graphiql">Loading GraphiQL…</div>
<script src="${GRAPHIQL_PATH}/react.production.min.js"></script>
<script src="${GRAPHIQL_PATH}/react-dom.production.min.js"></script>
<script src="${GRAPHIQL_PATH}/graphiql.min.js"></script>
<script src="${GRAPHIQL_PATH}/app.js"></script>
</body>
</html>
`;

const ASSETS: Record<string, Asset> = {
  [GRAPHIQL_PATH]: { contentType: HTML, read: () => PAGE },
  [`${GRAPHIQL_PATH}/app.js`]: { contentType: JS, read: () => APP_JS },
  [`${GRAPHIQL_PATH}/graphiql.min.js`]: { contentType: JS, read: packageFile('graphiql', 'graphiql.min.js') },
  [`${GRAPHIQL_PATH}/graphiql.min.css`]: { contentType: CSS, read: packageFile('graphiql', 'graphiql.min.css') },
  [`${GRAPHIQL_PATH}/react.production.min.js`]: { contentType: JS, read: packageFile('react', 'umd/react.production.min.js') },
  [`${GRAPHIQL_PATH}/react-dom.production.min.js`]: { contentType: JS, read: packageFile('react-dom', 'umd/react-dom.production.min.js') },
};

// GraphiQL styles itself inline and loads its fonts and icons as data: URLs.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'";

function serve(asset: Asset): Route {
  let loaded: Loaded | undefined;
  return (req: IncomingMessage, res: ServerResponse) => {
    // Read on first use: the router starts no slower, and a production image may omit these packages.
    if (!loaded) {
      const read = asset.read();
      const body = typeof read === 'string' ? Buffer.from(read) : read;
      loaded = { body, gzip: gzipSync(body), etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
    }
    const headers: Record<string, string> = {
      'content-type': asset.contentType,
      'cache-control': 'no-cache',
      etag: loaded.etag,
      vary: 'accept-encoding',
      'x-content-type-options': 'nosniff',
    };
    if (asset.contentType === HTML) headers['content-security-policy'] = CSP;
    if (req.headers['if-none-match'] === loaded.etag) {
      res.writeHead(304, headers).end();
      return;
    }
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? loaded.gzip : loaded.body;
    if (gzip) headers['content-encoding'] = 'gzip';
    res.writeHead(200, { ...headers, 'content-length': String(body.length) }).end(body);
  };
}

/** The routes to add to the router's HTTP server, by path (GET). */
export function graphiqlRoutes(): Record<string, Route> {
  return Object.fromEntries(Object.entries(ASSETS).map(([path, asset]) => [path, serve(asset)]));
}
