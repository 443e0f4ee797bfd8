import type { IncomingMessage } from 'node:http';
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import type { GraphQLHttpRequest, RequestInfo } from '@storefront/kit';
import type { RouterContext } from './context';

/**
 * The mechanics of the router's pipeline; the stages themselves, in order, are in stages.ts.
 *
 * A stage is a unit of one shape: a name, one line saying what it does, and the hooks it needs,
 * each optional: `edge` on the HTTP request before Apollo Server parses it, `context` (one stage
 * builds the request's context), and `plugins`, Apollo Server hooks after parsing and validation.
 * The list's order is the order everything runs in: edge hooks one after the other, then each
 * Apollo hook of every stage one after the other (awaited, not started together as Apollo Server
 * does for separate plugins), the response's hooks too: a stage sees the answer after the stages
 * before it. Parts that are not per-request hooks (the planner, the executor, the subgraph
 * clients) are named by their stage and built where it says. What only watches (error logs,
 * metrics, the landing page) is registered beside the pipeline, not in it.
 */

/** A check on the HTTP request before it is parsed: throws (an HttpError) to refuse it. */
export type EdgeHook = (request: GraphQLHttpRequest, req: IncomingMessage, info: RequestInfo) => Promise<void> | void;

/** The Apollo Server hooks a stage's plugin may use: the pipeline runs these, in stage order. */
const REQUEST_HOOKS = ['didResolveOperation', 'responseForOperation', 'willSendResponse', 'didEncounterErrors'] as const;
type RequestHook = (typeof REQUEST_HOOKS)[number];
export type StageListener = Pick<GraphQLRequestListener<RouterContext>, RequestHook>;

export interface Stage {
  name: string;
  /** What the stage does, in one line (router/README.md lists them). */
  does: string;
  edge?: EdgeHook;
  context?: (req: IncomingMessage, info: RequestInfo) => Promise<RouterContext>;
  /** Apollo Server hooks, in this order: only `requestDidStart`, whose listener may use only REQUEST_HOOKS. */
  plugins?: readonly ApolloServerPlugin<RouterContext>[];
}

export interface Pipeline {
  stages: readonly Stage[];
  /** The stages' edge hooks, in order: the HTTP front's `preflight`. */
  preflight: EdgeHook;
  context: (req: IncomingMessage, info: RequestInfo) => Promise<RouterContext>;
  /** The stages' Apollo hooks, in order, as one plugin. */
  plugin: ApolloServerPlugin<RouterContext>;
}

/** A problem with the list itself, found when the router starts rather than on a request. */
function listProblems(stages: readonly Stage[]): string[] {
  const problems: string[] = [];
  const names = stages.map((s) => s.name);
  for (const name of new Set(names)) if (names.filter((n) => n === name).length > 1) problems.push(`stage "${name}" is listed twice`);
  const builders = stages.filter((s) => s.context);
  if (builders.length !== 1) problems.push(`exactly one stage builds the context; ${builders.map((s) => s.name).join(', ') || 'none'} do`);
  for (const stage of stages) {
    const other = (stage.plugins ?? []).flatMap((plugin) => Object.keys(plugin)).filter((key) => key !== 'requestDidStart');
    if (other.length) problems.push(`stage "${stage.name}" has server hooks (${other.join(', ')}): register those beside the pipeline`);
  }
  return problems;
}

/** A stage's listener with a hook the pipeline does not run would be silently skipped: refused instead. */
function checked(stage: Stage, listener: GraphQLRequestListener<RouterContext>): StageListener {
  const unknown = Object.keys(listener).filter((key) => !(REQUEST_HOOKS as readonly string[]).includes(key));
  if (unknown.length) throw new Error(`stage "${stage.name}" uses ${unknown.join(', ')}, which the pipeline does not run (see REQUEST_HOOKS in pipeline.ts)`);
  return listener;
}

export function assemblePipeline(stages: readonly Stage[]): Pipeline {
  const problems = listProblems(stages);
  if (problems.length) throw new Error(`The router's stage list is wrong: ${problems.join('; ')}`);
  const edges = stages.flatMap((s) => (s.edge ? [s.edge] : []));
  const plugins = stages.flatMap((stage) => (stage.plugins ?? []).map((plugin) => ({ stage, plugin })));
  return {
    stages,
    async preflight(request, req, info) {
      for (const edge of edges) await edge(request, req, info);
    },
    context: stages.find((s) => s.context)!.context!,
    plugin: {
      async requestDidStart(requestContext) {
        const listeners: StageListener[] = [];
        for (const { stage, plugin } of plugins) {
          const listener = await plugin.requestDidStart?.(requestContext);
          if (listener) listeners.push(checked(stage, listener));
        }
        return {
          async didResolveOperation(requestContext) {
            for (const l of listeners) await l.didResolveOperation?.(requestContext);
          },
          async responseForOperation(requestContext) {
            for (const l of listeners) {
              const response = await l.responseForOperation?.(requestContext);
              if (response) return response;
            }
            return null;
          },
          async willSendResponse(requestContext) {
            for (const l of listeners) await l.willSendResponse?.(requestContext);
          },
          async didEncounterErrors(requestContext) {
            for (const l of listeners) await l.didEncounterErrors?.(requestContext);
          },
        };
      },
    },
  };
}

/** The list as router/README.md shows it: one numbered line per stage. */
export function describePipeline(stages: readonly Stage[]): string {
  return stages.map((s, i) => `${i + 1}. **${s.name}**: ${s.does}`).join('\n');
}
