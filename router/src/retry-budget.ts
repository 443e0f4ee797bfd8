/** Options of a retry budget. */
export interface RetryBudgetOptions {
  /** Retries allowed as a share of requests over the window, e.g. 0.2. */
  ratio: number;
  /** Retries always allowed per window, so a quiet subgraph can still be retried. @default 10 */
  minimum?: number;
  /** The sliding window in milliseconds. @default 10000 */
  windowMs?: number;
  now?: () => number;
}

/**
 * A retry budget (as Finagle and Envoy have): over a sliding window, retries may be at most
 * `ratio` of the requests plus `minimum`. Per-request retry counts alone let every caller retry at
 * once when a subgraph struggles, multiplying its load exactly when it can least take it.
 */
export class RetryBudget {
  private readonly slots = 10;
  private readonly slotMs: number;
  private readonly requests: number[];
  private readonly retries: number[];
  private slot = 0;
  private slotStart = 0;
  private readonly minimum: number;
  private readonly now: () => number;

  constructor(private readonly options: RetryBudgetOptions) {
    this.minimum = options.minimum ?? 10;
    this.slotMs = (options.windowMs ?? 10_000) / this.slots;
    this.now = options.now ?? Date.now;
    this.requests = new Array<number>(this.slots).fill(0);
    this.retries = new Array<number>(this.slots).fill(0);
    this.slotStart = this.now();
  }

  /** Counts a first attempt. */
  recordRequest(): void {
    this.advance();
    this.requests[this.slot]! += 1;
  }

  /** Takes one retry from the budget; false when the budget is spent. */
  tryRetry(): boolean {
    this.advance();
    const requests = this.requests.reduce((a, b) => a + b, 0);
    const retries = this.retries.reduce((a, b) => a + b, 0);
    if (retries >= this.minimum + this.options.ratio * requests) return false;
    this.retries[this.slot]! += 1;
    return true;
  }

  /** Moves the window on, clearing the slots that fell out of it. */
  private advance(): void {
    const elapsed = Math.floor((this.now() - this.slotStart) / this.slotMs);
    if (elapsed <= 0) return;
    for (let i = 0; i < Math.min(elapsed, this.slots); i++) {
      this.slot = (this.slot + 1) % this.slots;
      this.requests[this.slot] = 0;
      this.retries[this.slot] = 0;
    }
    this.slotStart += elapsed * this.slotMs;
  }
}
