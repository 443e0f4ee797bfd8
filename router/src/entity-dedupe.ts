/**
 * De-duplicated entity representations in `_entities` fetches. The gateway sends one
 * representation per place an entity appears in the response so far: in a deep query the same
 * author or product shows up dozens of times in one fetch, and the subgraph resolves, serializes,
 * and the router parses each copy. This sends every distinct representation once and fans the
 * answers back out to the positions the gateway expects.
 *
 * Positions that shared a representation get the same answer object. That is safe for the
 * gateway's use of it: it only deep-merges answers into its result tree (assigning what the
 * target lacks, merging what it has), and its rewrites of an answer are idempotent, so one object
 * merged into two places of the tree gives both the same data the two copies would have.
 */

interface EntityError {
  path?: ReadonlyArray<string | number>;
}

interface EntitiesResponse {
  data?: { _entities?: unknown } | null;
  errors?: ReadonlyArray<EntityError>;
}

export interface DedupedRepresentations {
  /** The distinct representations, in first-seen order: what is sent. */
  unique: unknown[];
  /** For each original position, the index of its representation in `unique`. */
  positions: number[];
}

/**
 * The distinct representations of a fetch, or undefined when there is nothing to gain (no
 * `representations` variable, or no repeats). The gateway builds every representation of one
 * fetch from the same selection, so equal entities serialize to equal JSON.
 */
export function dedupeRepresentations(variables: Record<string, unknown> | undefined): DedupedRepresentations | undefined {
  const representations = variables?.representations;
  if (!Array.isArray(representations) || representations.length < 2) return undefined;
  const indexByKey = new Map<string, number>();
  const unique: unknown[] = [];
  const positions = new Array<number>(representations.length);
  for (let i = 0; i < representations.length; i += 1) {
    const key = JSON.stringify(representations[i]);
    let index = indexByKey.get(key);
    if (index === undefined) {
      index = unique.length;
      indexByKey.set(key, index);
      unique.push(representations[i]);
    }
    positions[i] = index;
  }
  return unique.length < representations.length ? { unique, positions } : undefined;
}

/**
 * Puts a response to the de-duplicated fetch back in the shape of the original one: `_entities`
 * with one entry per original position, and each error about a distinct entity repeated for every
 * position that shared it. A response of another shape (no `_entities`, wrong length) is left as
 * it is, for the gateway to reject as it would have.
 */
export function expandEntities<T extends EntitiesResponse>(response: T, { unique, positions }: DedupedRepresentations): T {
  const entities = response.data?._entities;
  if (!Array.isArray(entities) || entities.length !== unique.length) return response;
  const expanded = positions.map((index) => entities[index]);
  let errors = response.errors;
  if (errors?.some((error) => error.path?.[0] === '_entities' && typeof error.path[1] === 'number')) {
    errors = errors.flatMap((error) => {
      const path = error.path;
      if (path?.[0] !== '_entities' || typeof path[1] !== 'number') return [error];
      const copies: EntityError[] = [];
      positions.forEach((index, position) => {
        if (index === path[1]) copies.push({ ...error, path: ['_entities', position, ...path.slice(2)] });
      });
      return copies;
    });
  }
  return { ...response, data: { ...response.data, _entities: expanded }, ...(errors ? { errors } : {}) };
}
