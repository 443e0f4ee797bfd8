import { setTimeout as sleep } from 'node:timers/promises';
import {
  BrokenCircuitError,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  type CircuitBreakerPolicy,
  type IBackoff,
} from 'cockatiel';
import type { Logger } from '@storefront/kit';
import { BREAKER_STATE, type RouterMetrics } from './metrics';
import { RetryBudget } from './retry-budget';
import { isOutage, isRetryable, SubgraphUnavailableError } from './subgraph-errors';

export interface SubgraphPolicyOptions {
  name: string;
  /** Consecutive outage failures that open the breaker; 0: no breaker. */
  breakerFailures: number;
  /** Time an open breaker waits before a trial fetch, in milliseconds. */
  halfOpenAfterMs: number;
  /** Retries of a retryable fetch (reads only); 0: none. */
  retries: number;
  /** The first retry's delay; later ones back off exponentially with jitter, up to `maxRetryDelayMs`. */
  retryDelayMs: number;
  /** @default 1000 */
  maxRetryDelayMs?: number;
  /** Share of fetches that retries may add over 10 s (plus 10); see RetryBudget. */
  retryBudget: number;
  metrics?: RouterMetrics;
  log?: Logger;
}

type BreakerState = keyof typeof BREAKER_STATE;

const STATE_NAMES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Open]: 'open',
  [CircuitState.Isolated]: 'open',
};

/**
 * How the router treats one subgraph's fetches: a circuit breaker (cockatiel) that fails fast
 * while the subgraph is down and lets a trial fetch through after `halfOpenAfterMs`, closing again
 * when it succeeds; and, for reads only, retries with exponential backoff and jitter within a
 * retry budget. One per subgraph name, kept across supergraph reloads.
 */
export class SubgraphPolicy {
  private readonly breaker?: CircuitBreakerPolicy;
  private readonly budget: RetryBudget;

  constructor(private readonly options: SubgraphPolicyOptions) {
    this.budget = new RetryBudget({ ratio: options.retryBudget });
    options.metrics?.breakerState.set({ subgraph: options.name }, BREAKER_STATE.closed);
    if (options.breakerFailures > 0) {
      this.breaker = circuitBreaker(handleWhen(isOutage), {
        halfOpenAfter: options.halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(options.breakerFailures),
      });
      this.breaker.onStateChange((state) => {
        const name = STATE_NAMES[state];
        options.metrics?.breakerState.set({ subgraph: options.name }, BREAKER_STATE[name]);
        const entry = { subgraph: options.name, breaker: name };
        if (name === 'open') options.log?.warn(entry, `circuit breaker for ${options.name} opened: failing its fetches fast`);
        else options.log?.info(entry, `circuit breaker for ${options.name} is ${name.replace('_', '-')}`);
      });
    }
  }

  get state(): BreakerState {
    return this.breaker ? STATE_NAMES[this.breaker.state] : 'closed';
  }

  /**
   * Runs one fetch. `attempt` is called once per try and must build the request afresh (each
   * attempt is signed anew: a signature's nonce is accepted once). Only a `retryable` fetch (a
   * read) is ever repeated.
   */
  async execute<T>(attempt: () => Promise<T>, retryable: boolean): Promise<T> {
    this.budget.recordRequest();
    let backoff: IBackoff<unknown> | undefined;
    for (let retries = 0; ; retries++) {
      try {
        return await this.guarded(attempt);
      } catch (error) {
        if (!retryable || retries >= this.options.retries || !isRetryable(error) || !this.budget.tryRetry()) throw error;
        backoff = (backoff ?? new ExponentialBackoff({ initialDelay: this.options.retryDelayMs, maxDelay: this.options.maxRetryDelayMs ?? 1000 })).next(undefined);
        this.options.metrics?.subgraphRetries.inc({ subgraph: this.options.name });
        await sleep(backoff.duration);
      }
    }
  }

  private async guarded<T>(attempt: () => Promise<T>): Promise<T> {
    if (!this.breaker) return attempt();
    // cockatiel queues calls behind the half-open trial until it settles; with a hung subgraph that
    // is a whole timeout for every request. Failing them fast instead keeps the router's latency flat.
    if (this.breaker.state === CircuitState.HalfOpen) throw this.circuitOpen();
    try {
      return await this.breaker.execute(attempt);
    } catch (error) {
      if (error instanceof BrokenCircuitError) throw this.circuitOpen(error);
      throw error;
    }
  }

  private circuitOpen(cause?: unknown): SubgraphUnavailableError {
    return new SubgraphUnavailableError(this.options.name, 'is unavailable (circuit open)', cause, 'circuit_open');
  }
}
