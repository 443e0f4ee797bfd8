import { isDeepStrictEqual } from 'node:util';
import { comparableErrors, type Answer } from './compare';

type Comparable = ReturnType<typeof comparableErrors>[number];

/** What a path reaches in the data: a null on the way (or at the end), a missing key or index, or a value. */
function reach(data: unknown, path: (string | number)[]): 'null' | 'missing' | 'value' {
  let node = data;
  for (const step of path) {
    if (node === null) return 'null';
    if (typeof node !== 'object' || node === undefined) return 'missing';
    if (!Object.prototype.hasOwnProperty.call(node, step)) return 'missing';
    node = (node as Record<string | number, unknown>)[step];
  }
  return node === null ? 'null' : 'value';
}

/** `a` without the items of `b` (each item of `b` cancels one equal item of `a`). */
function minus(a: Comparable[], b: Comparable[]): Comparable[] {
  const rest = [...b];
  return a.filter((item) => {
    const i = rest.findIndex((other) => isDeepStrictEqual(item, other));
    if (i < 0) return true;
    rest.splice(i, 1);
    return false;
  });
}

const masked = (e: Comparable) => `${e.message}\n${String(e.code)}\n${e.path.replace(/\d+/g, '#')}`;

/**
 * Differences our executor makes on purpose, by name, or undefined for any other difference.
 *
 * - `entity error paths`: an error of an `_entities` fetch is placed at the entity its
 *   representation was made of. The stock executor indexes the entities at the fetch's path by
 *   the representation's position, so when some entities there had no representation (another
 *   type, or null) it names the wrong one. Recognised only when the data are equal and the errors
 *   pair up with paths that differ in list indices alone. Where the data hold the list the paths
 *   part at, a pair where the stock path reaches a null and ours does not is a mismatch (ours
 *   would be the wrong one); ours reaching the failed field's null while the stock one reaches a
 *   value or nothing is `verified`; anything else the data cannot tell.
 */
export function knownDifference(router: Answer, gateway: Answer): string | undefined {
  if (!isDeepStrictEqual(router.body.data, gateway.body.data)) return undefined;
  const oursOnly = minus(comparableErrors(router), comparableErrors(gateway));
  const stockOnly = minus(comparableErrors(gateway), comparableErrors(router));
  if (oursOnly.length === 0 || oursOnly.length !== stockOnly.length) return undefined;
  const data = router.body.data;
  const unpaired = [...stockOnly];
  let verified = 0;
  for (const o of oursOnly) {
    const i = unpaired.findIndex((g) => masked(g) === masked(o));
    if (i < 0) return undefined;
    const [g] = unpaired.splice(i, 1);
    const ours = JSON.parse(o.path) as (string | number)[];
    const stock = JSON.parse(g!.path) as (string | number)[];
    const split = ours.findIndex((step, k) => step !== stock[k]);
    if (reach(data, ours.slice(0, split)) === 'null') continue;
    const [oursReach, stockReach] = [reach(data, ours), reach(data, stock)];
    if (stockReach === 'null' && oursReach !== 'null') return undefined;
    if (oursReach === 'null' && stockReach !== 'null') verified++;
  }
  return verified ? 'entity error paths (verified)' : 'entity error paths (the data cannot tell)';
}

const NON_NULL = /^Cannot return null for non-nullable field (\w+)\.(\w+)\.$/;

/** Entity interfaces a subgraph extends as an `@interfaceObject`, each with the object types that implement it. */
export type InterfaceObjects = Readonly<Record<string, readonly string[]>>;

/** The types `interfaceTypenameDifference` concerns: the interfaces and their implementations. */
const typesOf = (interfaces: InterfaceObjects) => new Set(Object.entries(interfaces).flatMap(([name, types]) => [name, ...types]));

/** A message as compared by `interfaceTypenameDifference`: a null-in-non-null naming one of `types` names no type. */
function withoutType(message: string, types: ReadonlySet<string>): string {
  const match = NON_NULL.exec(message);
  return match && types.has(match[1]!) ? `Cannot return null for non-nullable field *.${match[2]!}.` : message;
}

/** True when `value` holds one of `names` as a string at any depth (a `__typename`, aliased or not). */
function holdsTypename(value: unknown, names: ReadonlySet<string>): boolean {
  if (typeof value === 'string') return names.has(value);
  if (value === null || typeof value !== 'object') return false;
  return Object.values(value).some((item) => holdsTypename(item, names));
}

/** True when some error of `errors` lies at `at` or below it. */
const below = (errors: readonly (string | number)[][], at: readonly (string | number)[]) => errors.some((path) => at.every((step, i) => path[i] === step));

/**
 * True when `ours` holds everything `stock` does: equal values, the same lists, objects with at
 * least the stock object's keys (each refining it), a null where the stock answer has an object
 * only when one of our errors lies at or below it, and a value where the stock answer has a null
 * only when that value holds a `__typename` of one of `implementations` (the stock executor
 * nulls an object without an error when the `__typename` it holds is an interface's).
 */
function refines(
  ours: unknown,
  stock: unknown,
  at: (string | number)[],
  context: { errors: (string | number)[][]; implementations: ReadonlySet<string> },
): boolean {
  if (isDeepStrictEqual(ours, stock)) return true;
  if (ours === null) return typeof stock === 'object' && below(context.errors, at);
  if (stock === null) return holdsTypename(ours, context.implementations);
  if (typeof ours !== 'object' || typeof stock !== 'object' || Array.isArray(ours) !== Array.isArray(stock)) return false;
  if (Array.isArray(ours)) {
    const list = stock as unknown[];
    return ours.length === list.length && ours.every((item, i) => refines(item, list[i], [...at, i], context));
  }
  const object = ours as Record<string, unknown>;
  return Object.entries(stock as Record<string, unknown>).every(([key, value]) => key in object && refines(object[key], value, [...at, key], context));
}

/**
 * True when the stock executor never shaped what `path` reaches: a key missing on the way, or a
 * null on the way with no stock error at or below it (an object it nulled for its `__typename`).
 */
function unshaped(data: unknown, path: (string | number)[], stockErrors: (string | number)[][]): boolean {
  for (let depth = 0; depth <= path.length; depth++) {
    const at = path.slice(0, depth);
    const reached = reach(data, at);
    if (reached === 'missing') return true;
    if (reached === 'null') return !below(stockErrors, at);
  }
  return false;
}

const pathOf = (e: Comparable) => (JSON.parse(e.path) as (string | number)[] | null) ?? [];

/**
 * `interface __typename`: on a supergraph where a subgraph extends an entity interface as an
 * `@interfaceObject`, that subgraph answers `_entities` with the interface's name as `__typename`.
 * The stock executor lets it replace the concrete type the owning subgraph gave, so afterwards
 * fragments on the concrete type stop applying (their fields go missing, their nulls are never
 * seen, a null-in-non-null error names the interface) and an object whose `__typename` is
 * selected turns null without an error. Ours keeps the concrete type
 * (`router/test/executor-interface-object.e2e.test.ts` shows one such answer against graphql-js).
 *
 * Recognised only when our data refines the stock data (see `refines`) and the errors pair up:
 * every stock error is ours too (the type a null-in-non-null message names aside, where it is one
 * of these types; list indices aside when `entity error paths` applies as well), and each error only
 * ours has lies where the stock executor shaped nothing (see `unshaped`). What
 * it cannot tell: that the extra fields are the ones the fragments select, not others; the
 * shaping unit tests hold that.
 */
export function interfaceTypenameDifference(router: Answer, gateway: Answer, interfaces: InterfaceObjects): string | undefined {
  const types = typesOf(interfaces);
  const errors = (answer: Answer) => comparableErrors(answer).map((e) => ({ ...e, message: withoutType(e.message, types) }));
  const [ours, stock] = [errors(router), errors(gateway)];
  const oursOnly = minus(ours, stock);
  let indices = false;
  for (const g of minus(stock, ours)) {
    const candidates = oursOnly.filter((o) => masked(o) === masked(g));
    const pick = candidates.find((o) => reach(gateway.body.data, pathOf(o)) !== 'missing') ?? candidates[0];
    if (!pick) return undefined;
    oursOnly.splice(oursOnly.indexOf(pick), 1);
    indices = true;
  }
  const stockPaths = stock.map(pathOf);
  if (oursOnly.some((e) => !unshaped(gateway.body.data, pathOf(e), stockPaths))) return undefined;
  const implementations = new Set(Object.values(interfaces).flat());
  if (!refines(router.body.data, gateway.body.data, [], { errors: ours.map(pathOf), implementations })) return undefined;
  return `interface __typename (fields the stock executor dropped${indices ? ', with entity error paths' : ''})`;
}
