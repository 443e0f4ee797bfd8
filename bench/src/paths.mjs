import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder. */
export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The benchmark workspace's folder. */
export const benchRoot = join(projectRoot, 'bench');
/** The subgraphs, in the order the tables list them. */
export const SUBGRAPHS = /** @type {const} */ (['users', 'products', 'reviews', 'orders']);
