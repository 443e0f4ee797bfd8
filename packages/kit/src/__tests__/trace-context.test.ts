import { continueTrace, formatTraceparent, parseTraceparent } from '../trace-context';

describe('W3C trace context', () => {
  const header = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

  it('parses a valid traceparent and continues its trace with a new span', () => {
    const parent = parseTraceparent(header)!;
    expect(parent).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', sampled: true });
    const child = continueTrace(parent);
    expect(child.traceId).toBe(parent.traceId);
    expect(child.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(child.spanId).not.toBe(parent.spanId);
    expect(parseTraceparent(formatTraceparent(child))).toEqual(child);
  });

  it.each([
    ['absent', undefined],
    ['garbage', 'hello'],
    ['an all-zero trace id', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
    ['an all-zero span id', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01'],
    ['an unknown version', '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
  ])('starts a new trace when the header is %s', (_label, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
    expect(continueTrace(parseTraceparent(value)).traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('keeps the caller’s sampling decision', () => {
    const unsampled = parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00')!;
    expect(formatTraceparent(continueTrace(unsampled))).toMatch(/-00$/);
  });
});
