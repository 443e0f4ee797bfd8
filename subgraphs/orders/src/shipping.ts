export interface Money {
  amountCents: number;
  currency: string;
}

/** What shipping one unit costs before the weight surcharge, in the price's smallest unit. */
export const SHIPPING_BASE_CENTS = 499;
/** The weight surcharge: 1 cent for every started step of this many grams. */
export const SHIPPING_GRAMS_PER_CENT = 10;
/** From this unit price on (in the price's smallest unit), shipping is free. */
export const FREE_SHIPPING_FROM_CENTS = 10_000;

/**
 * The estimated cost of shipping one unit of a product (`Product.shippingEstimate`):
 * - free (0) when the unit price is at least 10,000 (e.g. $100.00);
 * - otherwise 499 plus 1 per started 10 g of weight (1,234 g → 499 + 124 = 623),
 * in the price's own currency. The thresholds are the same numbers in every currency: a demo rule,
 * not a rate card. Pure and synchronous: it reads only what `@requires` puts on the representation.
 */
export function shippingEstimate(price: Money, weightGrams: number): Money {
  if (!Number.isSafeInteger(price.amountCents) || price.amountCents < 0) {
    throw new RangeError(`price.amountCents must be a non-negative integer, got ${price.amountCents}`);
  }
  if (!Number.isSafeInteger(weightGrams) || weightGrams < 0) {
    throw new RangeError(`weightGrams must be a non-negative integer, got ${weightGrams}`);
  }
  if (price.amountCents >= FREE_SHIPPING_FROM_CENTS) return { amountCents: 0, currency: price.currency };
  return {
    amountCents: SHIPPING_BASE_CENTS + Math.ceil(weightGrams / SHIPPING_GRAMS_PER_CENT),
    currency: price.currency,
  };
}
