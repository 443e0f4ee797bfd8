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
