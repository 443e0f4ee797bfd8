import { parse, validate, type GraphQLSchema } from 'graphql';
import { ask, difference, formatMismatch, keyOrderDiffers, type Answer, type GraphQLRequest, type Mismatch } from './compare';
import { interfaceTypenameDifference, knownDifference, type InterfaceObjects } from './known-differences';
import { describeFault, type Fault, type FaultServer } from './fault-server';
import { generateOperation, type GeneratorOptions } from './generate-operations';
import { mulberry32, operationSeed } from './prng';
import type { RouterPair } from './routers';

export interface Case {
  label: string;
  request: GraphQLRequest;
  token?: string;
  seed?: number;
  /** Run once before (answer dropped), then through each router in turn rather than at once. */
  mutation?: boolean;
  /** Switched on for this case only. */
  fault?: { server: FaultServer; fault: Fault };
  /** A fault set up by the caller (a stopped subgraph), for the report. */
  faultLabel?: string;
  /** The subgraph the caller's fault delays, whose timeouts are meant. */
  delayed?: string;
}

/**
 * A failure no fault caused: a timeout of a subgraph no fault delayed, or, in a case with no fault
 * at all, a subgraph "unavailable" (a connection the fixture server dropped). The test process
 * (routers, fixtures, proxies) was held up, e.g. by a machine under load. Not an answer to compare.
 */
function spuriousFailure(answer: Answer, delayed: string | undefined, faulted: boolean): boolean {
  return (answer.body.errors ?? []).some(
    (e) => (/ timed out after \d+ ms$/.test(e.message) && e.extensions?.serviceName !== delayed) || (!faulted && / service is unavailable$/.test(e.message)),
  );
}

/** A server faults may hit, and the response keys it answers. */
export interface FaultTarget {
  server: FaultServer;
  keys: readonly string[];
  /** How late a delayed answer comes (past the routers' timeout); unset: no delays on this target. */
  delayMs?: number;
}

/** Compares the two routers' answers case by case and keeps every mismatch for the report. */
export class DifferentialRun {
  /** Answers that differ in data, errors or HTTP status: the test fails on any. */
  readonly mismatches: Mismatch[] = [];
  /** Differences that do not fail the test: the known differences (see known-differences.ts). */
  readonly notes: Mismatch[] = [];
  compared = 0;
  /** Generated operations that failed validation: must stay 0. */
  rejected = 0;
  /** Answers with equal data whose keys came in another order. */
  keyOrder = 0;
  /** Answers whose data was not null and had no errors. */
  clean = 0;
  faulted = 0;
  /** Cases asked again because one answer had a spurious failure (see `spuriousFailure`). */
  retried = 0;
  /** Milliseconds spent waiting for each router in `compare` (first runs: planning included). */
  readonly millis = { router: 0, gateway: 0 };
  /** The errors our router answered, by code and message: what the operations ran into. */
  readonly errorCounts = new Map<string, number>();

  constructor(
    readonly supergraph: string,
    private readonly routers: RouterPair,
    /** The supergraph's entity interfaces that a subgraph extends as an `@interfaceObject`. */
    private readonly interfaceObjects?: InterfaceObjects,
  ) {}

  async compare(c: Case): Promise<void> {
    if (c.fault) await c.fault.server.setFault(c.fault.fault);
    let router: Answer;
    let gateway: Answer;
    try {
      if (c.mutation) await ask(this.routers.gateway.url, c.request, c.token);
      // One after the other: both routers and the fixtures share this process, and one router
      // planning a large operation would hold up the other's fetches past SUBGRAPH_TIMEOUT_MS.
      const started = performance.now();
      router = await ask(this.routers.router.url, c.request, c.token);
      const between = performance.now();
      gateway = await ask(this.routers.gateway.url, c.request, c.token);
      this.millis.router += between - started;
      this.millis.gateway += performance.now() - between;
      if (!c.mutation) [router, gateway] = await this.retrySpurious(c, router, gateway, c.fault?.fault.kind === 'delay' ? c.fault.server.name : undefined, !!c.fault);
    } finally {
      if (c.fault) await c.fault.server.setFault({ kind: 'none' });
    }
    this.record(c, router, gateway);
  }

  /**
   * Cases at once (`concurrency` at a time) while a fault set up by the caller holds, so a
   * timeout costs its wait once. Run each case once before (`compare`), so both routers have its
   * plan and no planning competes with the fetches.
   */
  async under(faultLabel: string, cases: readonly Case[], concurrency = cases.length): Promise<void> {
    const queue = [...cases];
    const worker = async () => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        const first = await Promise.all([ask(this.routers.router.url, c.request, c.token), ask(this.routers.gateway.url, c.request, c.token)]);
        const [router, gateway] = await this.retrySpurious(c, ...first, c.delayed, true);
        this.record({ ...c, faultLabel }, router, gateway);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
  }

  /** The answers, or once more (one router after the other) when they differ and one has a spurious failure. */
  private async retrySpurious(c: Case, router: Answer, gateway: Answer, delayed: string | undefined, faulted: boolean): Promise<[Answer, Answer]> {
    if (!difference(router, gateway) || !(spuriousFailure(router, delayed, faulted) || spuriousFailure(gateway, delayed, faulted))) return [router, gateway];
    this.retried++;
    return [await ask(this.routers.router.url, c.request, c.token), await ask(this.routers.gateway.url, c.request, c.token)];
  }

  private record(c: Case, router: Answer, gateway: Answer): void {
    this.compared++;
    if (c.fault || c.faultLabel) this.faulted++;
    if (router.body.data && !router.body.errors?.length) this.clean++;
    for (const e of router.body.errors ?? []) {
      const key = `${String(e.extensions?.code)}: ${e.message.slice(0, 80)}`;
      this.errorCounts.set(key, (this.errorCounts.get(key) ?? 0) + 1);
    }
    if (keyOrderDiffers(router, gateway)) this.keyOrder++;
    const fault = c.fault ? describeFault(c.fault.server.name, c.fault.fault) : (c.faultLabel ?? 'none');
    const mismatch = { supergraph: this.supergraph, label: c.label, seed: c.seed, fault, request: c.request, token: c.token, router, gateway };
    const reason = difference(router, gateway);
    const known = reason && (knownDifference(router, gateway) ?? (this.interfaceObjects && interfaceTypenameDifference(router, gateway, this.interfaceObjects)));
    if (known) this.notes.push({ ...mismatch, reason: `known difference: ${known}` });
    else if (reason) this.mismatches.push({ ...mismatch, reason });
    else if (router.status !== gateway.status) this.mismatches.push({ ...mismatch, reason: `HTTP status ${router.status} vs ${gateway.status}, bodies equal` });
  }

  /** The random operation of `seed` as a case, or undefined (and counted) when it does not validate. */
  generate(schema: GraphQLSchema, seed: number, generator: GeneratorOptions, label: string): Case | undefined {
    const op = generateOperation(schema, seed, generator);
    const invalid = validate(schema, parse(op.query));
    if (invalid.length) {
      this.rejected++;
      console.error(`generated operation rejected (seed ${seed}): ${invalid.map((e) => e.message).join('; ')}\n${op.query}`);
      return undefined;
    }
    return { label, seed, request: { query: op.query, operationName: op.operationName, variables: op.variables } };
  }

  /**
   * `count` random operations over `schema`, operation i from its own seed (so one can be
   * regenerated alone), a random fault on a random target for some of them.
   */
  async random(
    schema: GraphQLSchema,
    options: { runSeed: number; count: number; generator: GeneratorOptions; targets: readonly FaultTarget[]; tokens?: readonly (string | undefined)[] },
  ): Promise<void> {
    for (let i = 0; i < options.count; i++) {
      const seed = operationSeed(options.runSeed, this.supergraph, i);
      const c = this.generate(schema, seed, options.generator, `random #${i}`);
      if (!c) continue;
      const random = mulberry32(seed ^ 0x5eed);
      const target = options.targets.length && random.chance(0.35) ? random.pick(options.targets) : undefined;
      await this.compare({
        ...c,
        token: options.tokens?.length ? random.pick(options.tokens) : undefined,
        fault: target ? { server: target.server, fault: randomFault(random, target) } : undefined,
      });
    }
  }

  summary(): string {
    const notes = new Map<string, number>();
    for (const { reason } of this.notes) notes.set(reason, (notes.get(reason) ?? 0) + 1);
    return [
      `${this.supergraph}: ${this.compared} compared (${this.faulted} with a fault, ${this.clean} without errors), ${this.rejected} generated operations rejected,`,
      `${this.mismatches.length} mismatches, ${this.retried} asked again after a spurious failure, ${this.keyOrder} with keys in another order, notes: ${[...notes].map(([r, n]) => `${n}× ${r}`).join('; ') || 'none'};`,
      `time in compare: router ${Math.round(this.millis.router)} ms, gateway ${Math.round(this.millis.gateway)} ms;`,
      `most frequent errors: ${[...this.errorCounts].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([e, n]) => `${n}× ${e}`).join(' | ') || 'none'}`,
    ].join(' ');
  }

  report(): string {
    return this.mismatches.map(formatMismatch).join('\n\n');
  }

  /** The first note of each kind, in full. */
  noteReport(): string {
    const seen = new Set<string>();
    return this.notes
      .filter((n) => !seen.has(n.reason) && seen.add(n.reason))
      .map(formatMismatch)
      .join('\n\n');
  }
}

const CODES = ['NOT_FOUND', 'FIXTURE_FAILURE', 'BAD_USER_INPUT'];

/** Mostly wrong answers (errors, nulls), sometimes an outage, rarely a timeout (they cost time). */
function randomFault(random: ReturnType<typeof mulberry32>, target: FaultTarget): Fault {
  const roll = random.next();
  if (roll < 0.45) return { kind: 'error', key: random.pick(target.keys), code: random.pick(CODES) };
  if (roll < 0.8) return { kind: 'null', key: random.pick(target.keys) };
  if (roll < 0.93 || target.delayMs === undefined) return { kind: 'down' };
  return { kind: 'delay', ms: target.delayMs };
}

/** The routers' SUBGRAPH_TIMEOUT_MS on the fixture supergraphs, and how late a delayed answer comes. */
export const FIXTURE_TIMEOUT_MS = 300;
export const DELAY_PAST_TIMEOUT_MS = 800;
