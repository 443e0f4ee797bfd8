import { throttleKeyOfAddress } from '../address-key';

describe('throttleKeyOfAddress', () => {
  it.each([
    ['an IPv4 address as itself', '203.0.113.7', '203.0.113.7'],
    ['an IPv4-mapped IPv6 address as its IPv4 address', '::ffff:203.0.113.7', '203.0.113.7'],
    ['a full IPv6 address as its /64', '2001:0db8:0000:0001:1234:5678:9abc:def0', '2001:db8:0:1::/64'],
    ['a compressed IPv6 address as its /64', '2001:db8:0:1::5', '2001:db8:0:1::/64'],
    ['an IPv6 address with a short head as its /64', '2001:db8::1', '2001:db8:0:0::/64'],
    ['the IPv6 loopback as its /64', '::1', '0:0:0:0::/64'],
    ['an IPv6 address with a zone without the zone', 'fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['something that is no address as itself', 'unknown', 'unknown'],
  ])('keys %s', (_label, address, key) => {
    expect(throttleKeyOfAddress(address)).toBe(key);
  });
});
