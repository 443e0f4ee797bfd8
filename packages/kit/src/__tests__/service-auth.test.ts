import { MemoryNonceStore } from '../nonce-store';
import { SignatureVerifier, signRequest } from '../service-auth';

const request = { target: 'users', method: 'POST', path: '/graphql', body: '{"query":"{ a }"}', authorization: 'Bearer t' };
const verifierOf = (service = 'users', nonces = new MemoryNonceStore()) => new SignatureVerifier({ secret: 's3cret', service, allowed: ['router'], nonces });

describe('service request signatures', () => {
  it('accepts a request signed with the shared secret by an allowed service, for this service', async () => {
    expect(await verifierOf().verify(request, signRequest('s3cret', 'router', request))).toEqual({ ok: true, service: 'router' });
  });

  it('names the target in the headers it sends, and signs with scheme v2', () => {
    const headers = signRequest('s3cret', 'router', request);
    expect(headers['x-storefront-target']).toBe('users');
    expect(headers['x-storefront-signature']).toMatch(/^v2=/);
  });

  it.each([
    ['a different secret', () => signRequest('other', 'router', request), request],
    ['an altered body', () => signRequest('s3cret', 'router', request), { ...request, body: '{"query":"{ b }"}' }],
    ['an altered path', () => signRequest('s3cret', 'router', request), { ...request, path: '/internal/reservations' }],
    ['a swapped Authorization header', () => signRequest('s3cret', 'router', request), { ...request, authorization: 'Bearer u' }],
    ['a service not allowed to call', () => signRequest('s3cret', 'orders', request), request],
    ['an expired timestamp', () => signRequest('s3cret', 'router', request, Date.now() - 120_000), request],
    ['no signature at all', () => ({}), request],
  ])('refuses %s', async (_label, sign, received) => {
    expect((await verifierOf().verify(received, sign())).ok).toBe(false);
  });

  it('vouches for the forwarded client address only when it was signed with the request', async () => {
    const verifier = verifierOf();
    const headers = signRequest('s3cret', 'router', { ...request, client: '203.0.113.7' });
    expect(headers['x-storefront-client']).toBe('203.0.113.7');
    expect(await verifier.verify(request, headers)).toEqual({ ok: true, service: 'router', client: '203.0.113.7' });
    const swapped = { ...signRequest('s3cret', 'router', { ...request, client: '203.0.113.7' }), 'x-storefront-client': '198.51.100.1' };
    expect(await verifier.verify(request, swapped)).toEqual({ ok: false, reason: 'bad signature' });
    const added = { ...signRequest('s3cret', 'router', request), 'x-storefront-client': '198.51.100.1' };
    expect(await verifier.verify(request, added)).toEqual({ ok: false, reason: 'bad signature' });
  });

  it('refuses the same signed request a second time (replay)', async () => {
    const verifier = verifierOf();
    const headers = signRequest('s3cret', 'router', request);
    expect((await verifier.verify(request, headers)).ok).toBe(true);
    expect(await verifier.verify(request, headers)).toEqual({ ok: false, reason: 'replayed signature' });
  });
});

describe('a signature names the service it is for', () => {
  it.each(['products', 'reviews', 'orders'])('a call signed for users is refused by %s', async (other) => {
    expect(await verifierOf(other).verify(request, signRequest('s3cret', 'router', request))).toEqual({ ok: false, reason: 'signed for another service' });
  });

  it('refuses a call whose target header was changed or removed: the verifier signs with its own name', async () => {
    const headers = signRequest('s3cret', 'router', request);
    const products = verifierOf('products');
    expect(await products.verify(request, { ...headers, 'x-storefront-target': 'products' })).toEqual({ ok: false, reason: 'bad signature' });
    const { 'x-storefront-target': _removed, ...withoutTarget } = headers;
    expect(await products.verify(request, withoutTarget)).toEqual({ ok: false, reason: 'bad signature' });
    // The genuine call still works where it was meant to go.
    expect((await verifierOf('users').verify(request, headers)).ok).toBe(true);
  });

  it('refuses a v1 signature, which did not name its target', async () => {
    const headers = signRequest('s3cret', 'router', request);
    const v1 = { ...headers, 'x-storefront-signature': headers['x-storefront-signature']!.replace(/^v2=/, 'v1=') };
    expect(await verifierOf().verify(request, v1)).toEqual({ ok: false, reason: 'unsupported signature version' });
  });
});

describe('replay protection across replicas', () => {
  it('two replicas sharing a nonce store accept a signed call once between them', async () => {
    const shared = new MemoryNonceStore();
    const headers = signRequest('s3cret', 'router', request);
    expect((await verifierOf('users', shared).verify(request, headers)).ok).toBe(true);
    expect(await verifierOf('users', shared).verify(request, headers)).toEqual({ ok: false, reason: 'replayed signature' });
  });

  it('two replicas with their own memory each accept it once: the documented window without Redis', async () => {
    const headers = signRequest('s3cret', 'router', request);
    const [a, b] = [verifierOf(), verifierOf()];
    expect((await a.verify(request, headers)).ok).toBe(true);
    expect((await b.verify(request, headers)).ok).toBe(true);
    expect((await a.verify(request, headers)).ok).toBe(false);
    expect((await b.verify(request, headers)).ok).toBe(false);
  });
});
