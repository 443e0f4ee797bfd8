import { SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { tracingEnabled } from '@storefront/kit';

const tracer = trace.getTracer('@storefront/router');

/**
 * Runs `fn` in a span of the router's executor (`router.execute`, `router.plan`, `router.fetch`),
 * the child of the active one, so a subgraph's server span hangs under the fetch that called it.
 * With tracing off it is a plain call: no span objects on the hot path.
 */
export function inSpan<T>(name: string, attributes: Attributes | undefined, fn: () => Promise<T>): Promise<T> {
  if (!tracingEnabled()) return fn();
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn();
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** The synchronous form, for planning. */
export function inSpanSync<T>(name: string, attributes: Attributes | undefined, fn: () => T): T {
  if (!tracingEnabled()) return fn();
  return tracer.startActiveSpan(name, { attributes }, (span) => {
    try {
      return fn();
    } finally {
      span.end();
    }
  });
}
