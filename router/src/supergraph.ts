import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { join } from 'node:path';
import type { SupergraphManager } from '@apollo/gateway';
import { dataDir, type Logger } from '@storefront/kit';

/** The committed supergraph of this repository, used when SUPERGRAPH_PATH is unset. */
export function defaultSupergraphPath(): string {
  // dataDir() resolves `<project>/.data`; the schema folder sits beside it.
  return join(dataDir(), '..', 'schema', 'supergraph.graphql');
}

/** Reads a supergraph file, failing with a message that names the file. */
export function readSupergraph(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(
      `Cannot read the supergraph at ${path}: ${(error as Error).message}. Run \`npm run schema:compose\` or set SUPERGRAPH_PATH.`,
    );
  }
}

/** The `@link` features this router enforces itself (see authorization.ts). */
const ENFORCED_SECURITY_LINK = /(@link\(\s*url:\s*"https:\/\/specs\.apollo\.dev\/(?:authenticated|requiresScopes|policy)\/v[0-9.]+"[^)]*?),\s*for:\s*SECURITY/g;
/** `@context`/`@fromContext`, which our executor runs (execution/fetch-context.ts) and the stock one does not. */
const CONTEXT_LINK = /(@link\(\s*url:\s*"https:\/\/specs\.apollo\.dev\/context\/v0\.1"[^)]*?),\s*for:\s*SECURITY/g;

/**
 * The supergraph as `@apollo/gateway` accepts it. The gateway refuses any `@link(…, for: SECURITY)`
 * feature it does not implement, and it implements none; this router enforces `@authenticated`,
 * `@requiresScopes` and `@policy` itself, from the directives that stay in the SDL, so only their
 * links lose `for: SECURITY`; with our executor (`contexts`), the context feature's too: it sets
 * `@fromContext` arguments from the planner's context rewrites, which the stock executor ignores,
 * so with EXECUTOR=gateway such a supergraph is still refused rather than answered wrongly. Any
 * other security feature is still refused by the gateway.
 */
export const supergraphForGateway = (sdl: string, options: { contexts?: boolean } = {}): string => {
  const enforced = sdl.replace(ENFORCED_SECURITY_LINK, '$1');
  return options.contexts ? enforced.replace(CONTEXT_LINK, '$1') : enforced;
};

export interface FileSupergraphOptions {
  path: string;
  log: Logger;
  /** How often the file is checked for changes. @default 1000 */
  pollIntervalMs?: number;
  /** Whether the executor sets `@fromContext` arguments (ours does; the stock one does not). */
  contexts?: boolean;
  /** Called after every successful load with the SDL now served. */
  onLoaded?: (sdl: string) => void;
}

/**
 * Serves a supergraph file and reloads it when it changes, e.g. a Kubernetes ConfigMap update.
 * Polling `stat` (rather than inotify) also sees ConfigMap updates, which swap a symlink.
 * The gateway builds and validates a new supergraph before switching; an invalid file is refused
 * and the previous schema keeps serving, with the reason logged.
 */
export function fileSupergraph(options: FileSupergraphOptions): SupergraphManager {
  return {
    async initialize({ update }) {
      let current = readSupergraph(options.path);
      const check = () => {
        let next: string;
        try {
          next = readFileSync(options.path, 'utf8');
        } catch (error) {
          options.log.error({ err: error, path: options.path }, 'cannot read the new supergraph; still serving the previous one');
          return;
        }
        if (next === current) return;
        try {
          update(supergraphForGateway(next, options));
          current = next;
          options.onLoaded?.(next);
          options.log.info({ path: options.path }, 'supergraph reloaded');
        } catch (error) {
          options.log.error(
            { err: error, path: options.path },
            `new supergraph refused, still serving the previous one: ${(error as Error).message}`,
          );
        }
      };
      watchFile(options.path, { interval: options.pollIntervalMs ?? 1000, persistent: false }, check);
      options.onLoaded?.(current);
      return { supergraphSdl: supergraphForGateway(current, options), cleanup: async () => unwatchFile(options.path, check) };
    },
  };
}
