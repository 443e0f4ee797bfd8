import { shippingEstimate } from '../shipping';

describe('shippingEstimate', () => {
  it('charges the 499 base plus 1 cent per started 10 g below the free-shipping price', () => {
    expect(shippingEstimate({ amountCents: 5_000, currency: 'USD' }, 1_234)).toEqual({ amountCents: 623, currency: 'USD' });
    expect(shippingEstimate({ amountCents: 5_000, currency: 'USD' }, 1_230)).toEqual({ amountCents: 622, currency: 'USD' });
    expect(shippingEstimate({ amountCents: 5_000, currency: 'USD' }, 1)).toEqual({ amountCents: 500, currency: 'USD' });
  });

  it('charges only the base for a weightless product', () => {
    expect(shippingEstimate({ amountCents: 0, currency: 'USD' }, 0)).toEqual({ amountCents: 499, currency: 'USD' });
  });

  it('ships free from a price of exactly 10,000 cents, not one cent below', () => {
    expect(shippingEstimate({ amountCents: 10_000, currency: 'USD' }, 9_000).amountCents).toBe(0);
    expect(shippingEstimate({ amountCents: 250_000, currency: 'USD' }, 9_000).amountCents).toBe(0);
    expect(shippingEstimate({ amountCents: 9_999, currency: 'USD' }, 9_000).amountCents).toBe(499 + 900);
  });

  it('answers in the currency of the price, free or not', () => {
    expect(shippingEstimate({ amountCents: 100, currency: 'EUR' }, 50).currency).toBe('EUR');
    expect(shippingEstimate({ amountCents: 20_000, currency: 'JPY' }, 50)).toEqual({ amountCents: 0, currency: 'JPY' });
  });

  it.each([
    [{ amountCents: -1, currency: 'USD' }, 10],
    [{ amountCents: 1.5, currency: 'USD' }, 10],
    [{ amountCents: 100, currency: 'USD' }, -10],
    [{ amountCents: 100, currency: 'USD' }, Number.NaN],
  ])('refuses impossible input %o, %d instead of inventing a price', (price, weight) => {
    expect(() => shippingEstimate(price, weight)).toThrow(RangeError);
  });
});
