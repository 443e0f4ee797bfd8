/**
 * Merges a subgraph's answer into the data gathered so far, in place: keys the target lacks are
 * taken as they are (no copy: the answer was parsed for this request alone), objects present on
 * both sides are merged, lists of the same length element by element. The stock gateway's
 * `deepMerge` rule, so the differential test can hold the two executors to the same answers.
 */
export function mergeInto(target: Record<string, unknown>, source: unknown): void {
  if (source === null || source === undefined || typeof source !== 'object') return;
  const from = source as Record<string, unknown>;
  for (const key in from) {
    const value = from[key];
    if (value === undefined) continue;
    const existing = key === '__proto__' && !Object.prototype.hasOwnProperty.call(target, key) ? undefined : target[key];
    if (existing && typeof value === 'object' && value !== null && !Array.isArray(value) && typeof existing === 'object') {
      mergeInto(existing as Record<string, unknown>, value);
    } else if (Array.isArray(value) && Array.isArray(existing) && value.length === existing.length) {
      for (let i = 0; i < value.length; i += 1) {
        const a = existing[i] as unknown;
        const b = value[i] as unknown;
        if (isPlainObject(a) && isPlainObject(b)) mergeInto(a, b);
        else existing[i] = b;
      }
    } else if (key === '__proto__') {
      Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
    } else {
      target[key] = value;
    }
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
