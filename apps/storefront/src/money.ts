export interface Money {
  amountCents: number;
  currency: string;
}

const formats = new Map<string, Intl.NumberFormat>();

/** `{ amountCents: 1999, currency: 'USD' }` → `$19.99`. */
export function formatMoney({ amountCents, currency }: Money): string {
  let format = formats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    formats.set(currency, format);
  }
  return format.format(amountCents / 100);
}

export function times(money: Money, quantity: number): Money {
  return { amountCents: money.amountCents * quantity, currency: money.currency };
}

/** The sum of amounts in one currency; a cart mixing currencies has no single total. */
export function sum(amounts: Money[]): Money | null {
  if (amounts.length === 0) return null;
  const currency = amounts[0]!.currency;
  if (amounts.some((m) => m.currency !== currency)) return null;
  return { amountCents: amounts.reduce((total, m) => total + m.amountCents, 0), currency };
}

export function formatDate(iso: string): string {
  return new Date(iso).toLocaleDateString('en-US', { year: 'numeric', month: 'short', day: 'numeric' });
}
