import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import type { Money } from './money';
import { readStored, writeStored } from './stored';

export interface CartLine {
  productId: string;
  sku: string;
  name: string;
  unitPrice: Money;
  quantity: number;
}

interface CartState {
  lines: CartLine[];
  count: number;
  add(line: Omit<CartLine, 'quantity'>, quantity?: number): void;
  setQuantity(productId: string, quantity: number): void;
  clear(): void;
}

const KEY = 'storefront.cart';
/** The API accepts 1 to 100 units per line. */
export const MAX_QUANTITY = 100;

function isCart(value: unknown): value is CartLine[] {
  return Array.isArray(value) && value.every((l: CartLine) => typeof l?.productId === 'string' && Number.isInteger(l.quantity));
}

const clamp = (n: number) => Math.min(MAX_QUANTITY, Math.max(0, Math.trunc(n)));

const CartContext = createContext<CartState | null>(null);

/** The cart lives in the browser until checkout; prices shown are the catalogue's, the order's are the server's. */
export function CartProvider({ children }: { children: ReactNode }) {
  const [lines, setLines] = useState<CartLine[]>(() => readStored(KEY, isCart) ?? []);
  const update = useCallback((change: (lines: CartLine[]) => CartLine[]) => {
    setLines((current) => {
      const next = change(current).filter((l) => l.quantity > 0);
      writeStored(KEY, next.length > 0 ? next : null);
      return next;
    });
  }, []);
  const value = useMemo<CartState>(
    () => ({
      lines,
      count: lines.reduce((n, l) => n + l.quantity, 0),
      add: (line, quantity = 1) =>
        update((current) =>
          current.some((l) => l.productId === line.productId)
            ? current.map((l) => (l.productId === line.productId ? { ...l, quantity: clamp(l.quantity + quantity) } : l))
            : [...current, { ...line, quantity: clamp(quantity) }],
        ),
      setQuantity: (productId, quantity) => update((current) => current.map((l) => (l.productId === productId ? { ...l, quantity: clamp(quantity) } : l))),
      clear: () => update(() => []),
    }),
    [lines, update],
  );
  return <CartContext.Provider value={value}>{children}</CartContext.Provider>;
}

export function useCart(): CartState {
  const state = useContext(CartContext);
  if (!state) throw new Error('useCart outside CartProvider');
  return state;
}
