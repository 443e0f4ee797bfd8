import {
  context as otelContext,
  isSpanContextValid,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace-node';
import type { Logger } from './logger';
import { continueTrace, type TraceContext } from './trace-context';

export type { SpanExporter };

/** The process's OpenTelemetry tracing, when an OTLP endpoint is configured. */
export interface Tracing {
  readonly enabled: boolean;
  /** Sends the spans still buffered. */
  flush(): Promise<void>;
  /** Flushes and stops exporting. */
  shutdown(): Promise<void>;
}

const OFF: Tracing = { enabled: false, flush: async () => undefined, shutdown: async () => undefined };

let active: { provider: NodeTracerProvider; service: string } | undefined;

/** True when spans are recorded and exported (a tracer provider was registered by `startTracing`). */
export const tracingEnabled = (): boolean => active !== undefined;

export interface TracingOptions {
  /** `OTEL_EXPORTER_OTLP_ENDPOINT`: the collector's base URL; spans go to `<endpoint>/v1/traces`. Unset: off. */
  endpoint?: string;
  /**
   * Where spans go instead of OTLP, e.g. an in-memory exporter in tests (jest's sandbox cannot run
   * the OTLP exporter's dynamic `import('http')`). Turns tracing on like an endpoint does.
   */
  exporter?: SpanExporter;
  log?: Logger;
}

/**
 * Registers a tracer provider that exports spans over OTLP/HTTP (JSON) when an endpoint is set.
 * Without one nothing is registered: the OpenTelemetry API stays a no-op (so the gateway's own
 * spans cost nothing) and nothing leaves the machine. Once per process; `runService` calls it.
 */
export function startTracing(service: string, options: TracingOptions): Tracing {
  if (!options.endpoint && !options.exporter) return OFF;
  if (active) throw new Error(`tracing is already started for ${active.service}`);
  const url = options.endpoint ? `${options.endpoint.replace(/\/+$/, '')}/v1/traces` : undefined;
  const exporter = options.exporter ?? new OTLPTraceExporter({ url });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000 })],
  });
  // Also installs the AsyncLocalStorage context manager, so the gateway's spans nest under ours.
  provider.register();
  active = { provider, service };
  options.log?.info({ otlp: url ?? 'custom exporter' }, 'tracing: exporting spans');
  return {
    enabled: true,
    flush: () => provider.forceFlush(),
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      otelContext.disable();
      active = undefined;
    },
  };
}

/** One HTTP request's place in its trace, and the span that records it when tracing is on. */
export interface RequestTrace {
  /** This hop's trace context: what logs show and what downstream calls name as their parent. */
  context: TraceContext;
  /** The OpenTelemetry context to run the request in (holds the server span), when tracing is on. */
  otel?: Context;
  end(status: number): void;
}

/**
 * Starts the server side of a request: continues the caller's trace (from its `traceparent`) or
 * starts one. With tracing on it opens a SERVER span whose ids become the request's trace context.
 */
export function startRequestTrace(
  parent: TraceContext | undefined,
  name: string,
  attributes: Record<string, string>,
  /** False for probes and scrapes, which would otherwise fill the trace store with noise. */
  record = true,
): RequestTrace {
  if (!active || !record) return { context: continueTrace(parent), end: () => undefined };
  const parentContext = parent
    ? trace.setSpanContext(ROOT_CONTEXT, {
        traceId: parent.traceId,
        spanId: parent.spanId,
        traceFlags: parent.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
        isRemote: true,
      })
    : ROOT_CONTEXT;
  const span: Span = trace.getTracer('@storefront/kit').startSpan(name, { kind: SpanKind.SERVER, attributes }, parentContext);
  const ids = span.spanContext();
  return {
    context: { traceId: ids.traceId, spanId: ids.spanId, sampled: (ids.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED },
    otel: trace.setSpan(parentContext, span),
    end(status) {
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    },
  };
}

/**
 * The trace context a downstream call should carry as its parent: the active span (e.g. the
 * executor's `router.fetch`) when tracing is on, else a fresh child of `fallback`.
 */
export function outgoingTraceContext(fallback: TraceContext | undefined): TraceContext {
  const spanContext = active ? trace.getSpanContext(otelContext.active()) : undefined;
  if (spanContext && isSpanContextValid(spanContext)) {
    return {
      traceId: spanContext.traceId,
      spanId: spanContext.spanId,
      sampled: (spanContext.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED,
    };
  }
  return continueTrace(fallback);
}

/** Runs `fn` inside a request's OpenTelemetry context (a no-op when tracing is off). */
export function withRequestTrace<T>(requestTrace: RequestTrace, fn: () => T): T {
  return requestTrace.otel ? otelContext.with(requestTrace.otel, fn) : fn();
}
