import type { IncomingMessage } from 'node:http';

/**
 * The address of the client a request comes from. With `trustedHops` proxies in front (an ingress,
 * a load balancer), each appended the address it saw to `X-Forwarded-For`; entries further left
 * were written by the client and prove nothing, so the client is the entry `trustedHops` from the
 * right of `[...forwarded, peer]`.
 */
export function clientAddress(req: IncomingMessage, trustedHops: number): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (trustedHops <= 0) return peer;
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const chain = [...forwarded, peer];
  return chain[Math.max(0, chain.length - 1 - trustedHops)]!;
}
