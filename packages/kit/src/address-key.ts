import { isIPv4, isIPv6 } from 'node:net';

/**
 * The key a client address is throttled under. An IPv4 address is one client; an IPv6 client
 * usually holds a whole /64 (one customer's prefix), so keying on the full address would give it
 * 2^64 fresh budgets: every address of a /64 shares one key. IPv4-mapped IPv6 (`::ffff:a.b.c.d`,
 * what a dual-stack socket reports) is keyed as the IPv4 address it carries.
 */
export function throttleKeyOfAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped && isIPv4(mapped[1]!)) return mapped[1]!;
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return address;
  return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
}

/** The eight hextets of an IPv6 address, each without leading zeros. */
function expandIPv6(address: string): string[] {
  // A zone (`fe80::1%eth0`) names the local interface, not the client.
  const bare = address.split('%')[0]!.toLowerCase();
  const [head, tail] = bare.includes('::') ? bare.split('::') : [bare, undefined];
  const parse = (part: string | undefined) => (part ? part.split(':') : []);
  const left = parse(head);
  const right = parse(tail);
  // A trailing dotted quad (`::1.2.3.4`) stands for two hextets.
  const last = right.length > 0 ? right : left;
  if (last.length > 0 && last[last.length - 1]!.includes('.')) {
    const [a, b, c, d] = last.pop()!.split('.').map(Number) as [number, number, number, number];
    last.push(((a << 8) | b).toString(16), ((c << 8) | d).toString(16));
  }
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((h) => parseInt(h, 16).toString(16));
}
