// How many subgraph fetches the federation query planner (the one inside @apollo/gateway) plans
// for an operation: the figure the measured fetches per request are checked against.
import { parse } from 'graphql';
import { Supergraph, operationFromDocument } from '@apollo/federation-internals';
import { QueryPlanner } from '@apollo/query-planner';

/**
 * @param {string} supergraphSdl
 * @returns {(query: string, operationName: string) => { fetches: number, bySubgraph: Record<string, number> }}
 */
export function fetchPlanner(supergraphSdl) {
  const supergraph = Supergraph.build(supergraphSdl.replace(/,\s*for:\s*SECURITY/g, ''));
  const planner = new QueryPlanner(supergraph);
  return (query, operationName) => {
    const operation = operationFromDocument(supergraph.schema, parse(query), { operationName });
    const plan = planner.buildQueryPlan(operation);
    /** @type {Record<string, number>} */
    const bySubgraph = {};
    /** @param {any} node */
    const walk = (node) => {
      if (!node) return;
      if (node.kind === 'Fetch') bySubgraph[node.serviceName] = (bySubgraph[node.serviceName] ?? 0) + 1;
      for (const child of node.nodes ?? []) walk(child);
      walk(node.node);
      walk(node.main);
      for (const deferred of node.deferred ?? []) walk(deferred.node);
      walk(node.ifClause);
      walk(node.elseClause);
      walk(node.tryBlock);
    };
    walk(plan.node);
    return { fetches: Object.values(bySubgraph).reduce((a, b) => a + b, 0), bySubgraph };
  };
}
