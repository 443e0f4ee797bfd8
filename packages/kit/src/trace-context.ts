import { randomString } from './ids';

/** A W3C trace context (https://www.w3.org/TR/trace-context/): which trace a request belongs to. */
export interface TraceContext {
  traceId: string;
  /** The span of this hop; a downstream call names it as its parent. */
  spanId: string;
  sampled: boolean;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZEROS = /^0+$/;

/** Parses a `traceparent` header; undefined when absent or malformed (then a new trace starts). */
export function parseTraceparent(header: string | string[] | undefined): TraceContext | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value ? TRACEPARENT.exec(value.trim().toLowerCase()) : null;
  if (!match || ZEROS.test(match[1]!) || ZEROS.test(match[2]!)) return undefined;
  return { traceId: match[1]!, spanId: match[2]!, sampled: (parseInt(match[3]!, 16) & 1) === 1 };
}

/** This hop's context: the same trace as the caller's (or a new one), with a fresh span id. */
export function continueTrace(parent: TraceContext | undefined): TraceContext {
  return {
    traceId: parent?.traceId ?? randomString(16, 'hex'),
    spanId: randomString(8, 'hex'),
    sampled: parent?.sampled ?? true,
  };
}

/** The header that makes a downstream call a child of `context`. */
export function formatTraceparent(context: TraceContext): string {
  return `00-${context.traceId}-${context.spanId}-${context.sampled ? '01' : '00'}`;
}
