import { SignatureVerifier, signRequest } from '../service-auth';

const request = { method: 'POST', path: '/graphql', body: '{"query":"{ a }"}', authorization: 'Bearer t' };

describe('service request signatures', () => {
  it('accepts a request signed with the shared secret by an allowed service', () => {
    const verifier = new SignatureVerifier('s3cret', ['router']);
    expect(verifier.verify(request, signRequest('s3cret', 'router', request))).toEqual({ ok: true, service: 'router' });
  });

  it.each([
    ['a different secret', () => signRequest('other', 'router', request), request],
    ['an altered body', () => signRequest('s3cret', 'router', request), { ...request, body: '{"query":"{ b }"}' }],
    ['a swapped Authorization header', () => signRequest('s3cret', 'router', request), { ...request, authorization: 'Bearer u' }],
    ['a service not allowed to call', () => signRequest('s3cret', 'orders', request), request],
    ['an expired timestamp', () => signRequest('s3cret', 'router', request, Date.now() - 120_000), request],
    ['no signature at all', () => ({}), request],
  ])('refuses %s', (_label, sign, received) => {
    const verifier = new SignatureVerifier('s3cret', ['router']);
    expect(verifier.verify(received, sign()).ok).toBe(false);
  });

  it('vouches for the forwarded client address only when it was signed with the request', () => {
    const verifier = new SignatureVerifier('s3cret', ['router']);
    const headers = signRequest('s3cret', 'router', { ...request, client: '203.0.113.7' });
    expect(headers['x-storefront-client']).toBe('203.0.113.7');
    expect(verifier.verify(request, headers)).toEqual({ ok: true, service: 'router', client: '203.0.113.7' });
    const swapped = { ...signRequest('s3cret', 'router', { ...request, client: '203.0.113.7' }), 'x-storefront-client': '198.51.100.1' };
    expect(verifier.verify(request, swapped)).toEqual({ ok: false, reason: 'bad signature' });
    const added = { ...signRequest('s3cret', 'router', request), 'x-storefront-client': '198.51.100.1' };
    expect(verifier.verify(request, added)).toEqual({ ok: false, reason: 'bad signature' });
  });

  it('refuses the same signed request a second time (replay)', () => {
    const verifier = new SignatureVerifier('s3cret', ['router']);
    const headers = signRequest('s3cret', 'router', request);
    expect(verifier.verify(request, headers).ok).toBe(true);
    expect(verifier.verify(request, headers)).toEqual({ ok: false, reason: 'replayed signature' });
  });
});
