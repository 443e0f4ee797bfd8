// Load generation with autocannon's programmatic API, and a probe that checks answers one by one.
import autocannon from 'autocannon';

/**
 * @typedef {import('./queries.mjs').Query} Query
 * @typedef {{
 *   latencies: number[],
 *   seconds: number,
 *   bytes: number, encoded: number, encoding: string | null,
 *   non2xx: number, failed: number, graphqlErrors: number, checked: number, firstError: string | null,
 * }} LoadSample one window of load, raw (bytes: on the wire, headers included; encoded: responses
 *   with a Content-Encoding)
 * @typedef {{
 *   requests: number,
 *   seconds: number,
 *   rps: number,
 *   p50: number, p95: number, p99: number, max: number,
 *   bytesPerResponse: number, encodedShare: number, encoding: string | null,
 *   non2xx: number, failed: number, graphqlErrors: number, checked: number, firstError: string | null,
 * }} LoadResult one or more windows, summed up
 */

/** Exact percentile of sorted samples (nearest rank). @param {Float64Array} sorted @param {number} p */
function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  return /** @type {number} */ (sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]);
}

/**
 * Drives `url` with `connections` keep-alive connections for `seconds`. Every response is
 * screened for GraphQL errors (a substring test, cheap enough for all of them); every
 * `deepCheckEvery`-th is parsed and judged by the query's own check. A compressed response (sent
 * when `headers` asks for one) reaches us mangled into a string, so it is only counted: its
 * content is checked before the load, decoded, by `probe`. `progress.responses` counts live.
 * @param {{ url: string, query: Query, connections: number, seconds: number, deepCheckEvery?: number, headers?: Record<string, string>, progress?: { responses: number } }} options
 * @returns {Promise<LoadSample>}
 */
export async function drive({ url, query, connections, seconds, deepCheckEvery = 20, headers = {}, progress }) {
  /** @type {number[]} */
  const latencies = [];
  let bytes = 0;
  let encoded = 0;
  /** @type {string | null} */
  let encoding = null;
  let graphqlErrors = 0;
  let checked = 0;
  let seen = 0;
  /** @type {string | null} */
  let firstError = null;
  const target = new URL(url);
  const result = await new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: target.origin,
        connections,
        duration: seconds,
        timeout: 30,
        requests: [
          {
            method: 'POST',
            path: target.pathname,
            // autocannon writes Content-Length into the headers object it is given: a copy each time.
            setupRequest: (/** @type {Record<string, unknown>} */ request) => {
              const next = query.next();
              return { ...request, body: next.body, headers: { ...next.headers, ...headers } };
            },
            onResponse: (/** @type {number} */ status, /** @type {string} */ body, /** @type {unknown} */ _context, /** @type {Record<string, string>} */ responseHeaders) => {
              if (status !== 200) return;
              const encodingKey = responseHeaders && Object.keys(responseHeaders).find((k) => k.toLowerCase() === 'content-encoding');
              if (encodingKey) {
                encoded += 1;
                encoding ??= String(responseHeaders[encodingKey]);
                return;
              }
              seen += 1;
              let problem = null;
              if (!body.startsWith('{"data":{') || body.includes('"errors":[')) problem = 'GraphQL errors or no data';
              else if (seen % deepCheckEvery === 0) {
                checked += 1;
                try {
                  problem = query.check(JSON.parse(body));
                } catch (error) {
                  problem = `unparsable response: ${/** @type {Error} */ (error).message}`;
                }
              }
              if (problem) {
                graphqlErrors += 1;
                firstError ??= `${problem}: ${body.slice(0, 300)}`;
              }
            },
          },
        ],
      },
      (/** @type {Error | null} */ error, /** @type {any} */ res) => (error ? reject(error) : resolve(res)),
    );
    instance.on('response', (/** @type {unknown} */ _client, /** @type {number} */ _status, /** @type {number} */ size, /** @type {number} */ ms) => {
      latencies.push(ms);
      bytes += size;
      if (progress) progress.responses += 1;
    });
  });
  const res = /** @type {any} */ (result);
  return {
    latencies,
    seconds: res.duration,
    bytes,
    encoded,
    encoding,
    non2xx: res.non2xx,
    failed: res.errors + res.timeouts,
    graphqlErrors,
    checked,
    firstError: firstError ?? (res.non2xx ? `${res.non2xx} responses were not 2xx` : null),
  };
}

/** Sums up windows of the same query and router. @param {LoadSample[]} samples @returns {LoadResult} */
export function summarize(samples) {
  const sorted = Float64Array.from(samples.flatMap((s) => s.latencies)).sort();
  const seconds = samples.reduce((sum, s) => sum + s.seconds, 0);
  /** @param {'non2xx' | 'failed' | 'graphqlErrors' | 'checked'} key */
  const total = (key) => samples.reduce((sum, s) => sum + s[key], 0);
  return {
    requests: sorted.length,
    seconds,
    rps: sorted.length / seconds,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: percentile(sorted, 100),
    bytesPerResponse: samples.reduce((sum, s) => sum + s.bytes, 0) / sorted.length,
    encodedShare: samples.reduce((sum, s) => sum + s.encoded, 0) / sorted.length,
    encoding: samples.find((s) => s.encoding)?.encoding ?? null,
    non2xx: total('non2xx'),
    failed: total('failed'),
    graphqlErrors: total('graphqlErrors'),
    checked: total('checked'),
    firstError: samples.find((s) => s.firstError)?.firstError ?? null,
  };
}

/**
 * Sends requests one after another and returns the parsed answers, failing loudly on a non-200
 * status, GraphQL errors or a failed check: a benchmark of wrong answers is worthless.
 * Compressed answers (when `headers` asks for them) are decoded by fetch; `encoding` says which.
 * @param {string} url @param {Query} query @param {import('./queries.mjs').Request[]} requests
 * @param {Record<string, string>} [headers] added to each request's own
 */
export async function probe(url, query, requests, headers = {}) {
  /** @type {{ json: any, bytes: number, ms: number, encoding: string | null }[]} */
  const answers = [];
  for (const request of requests) {
    const started = process.hrtime.bigint();
    const response = await fetch(url, { method: 'POST', headers: { ...request.headers, ...headers }, body: request.body, signal: AbortSignal.timeout(30_000) });
    const text = await response.text();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    /** @type {any} */
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const problem =
      response.status !== 200
        ? `HTTP ${response.status}`
        : json?.errors
          ? `GraphQL errors`
          : query.check(json);
    if (problem) throw new Error(`(${query.id}) ${url}: ${problem}: ${text.slice(0, 500)}`);
    answers.push({ json, bytes: Buffer.byteLength(text), ms, encoding: response.headers.get('content-encoding') });
  }
  return answers;
}
