import type { ServiceEndpointDefinition } from '@apollo/gateway';
import type { Logger } from '@storefront/kit';
import type { RouterEnv } from './env';
import type { RouterMetrics } from './metrics';
import { SubgraphClient } from './subgraph-client';
import { SubgraphPolicy } from './subgraph-policy';

export interface SubgraphPoolOptions {
  env: RouterEnv;
  /** The secret every subgraph call is signed with. */
  secret: string;
  metrics: RouterMetrics;
  log: Logger;
  /** `<name>` → URL, over the supergraph's URLs. */
  urlOverrides: Record<string, string>;
}

/**
 * The fetch stage: one signed client per subgraph served now (timeout, breaker, retries, dedup;
 * subgraph-client.ts), built by the gateway on each supergraph load through `buildService`.
 * Breakers and retry budgets are kept by subgraph name, so a reload keeps their state.
 */
export class SubgraphPool {
  readonly policies = new Map<string, SubgraphPolicy>();
  /** The clients of the subgraphs served now, by name: what the executor's fetches go through. */
  readonly clients: Record<string, SubgraphClient> = {};

  constructor(private readonly options: SubgraphPoolOptions) {}

  readonly buildService = ({ name, url }: ServiceEndpointDefinition): SubgraphClient => {
    const { env, secret, metrics, urlOverrides } = this.options;
    const target = urlOverrides[name] ?? url;
    if (!target) throw new Error(`Subgraph ${name} has no URL: set ${name.toUpperCase()}_URL`);
    const client = new SubgraphClient({
      name,
      url: target,
      timeoutMs: env.SUBGRAPH_TIMEOUT_MS,
      serviceSecret: secret,
      policy: this.policyFor(name),
      metrics,
      dedupe: env.SUBGRAPH_DEDUPE,
      dedupeEntities: env.ENTITY_DEDUPE,
    });
    this.clients[name] = client;
    return client;
  };

  private policyFor(name: string): SubgraphPolicy {
    let policy = this.policies.get(name);
    if (!policy) {
      const { env, metrics, log } = this.options;
      policy = new SubgraphPolicy({
        name,
        breakerFailures: env.SUBGRAPH_BREAKER_FAILURES,
        halfOpenAfterMs: env.SUBGRAPH_BREAKER_HALF_OPEN_MS,
        retries: env.SUBGRAPH_RETRIES,
        retryDelayMs: env.SUBGRAPH_RETRY_DELAY_MS,
        retryBudget: env.SUBGRAPH_RETRY_BUDGET,
        metrics,
        log,
      });
      this.policies.set(name, policy);
    }
    return policy;
  }
}
