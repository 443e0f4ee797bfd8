import { useMemo, useState } from 'react';
import { useMutation } from 'urql';
import { MAX_QUANTITY, useCart } from '../cart';
import { ErrorMessage } from '../components/error-message';
import { PlaceOrderDocument } from '../generated/graphql';
import { formatMoney, sum, times } from '../money';
import { Link, navigate } from '../navigation';
import { useSession } from '../session';

/**
 * A fresh idempotency key. `crypto.randomUUID` exists only in secure contexts (https, localhost), and
 * the dev server may be opened over a LAN address, so fall back to 16 random bytes.
 */
function newKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The cart and the checkout button: `placeOrder` with the cart's lines. */
export function CartPage() {
  const cart = useCart();
  const { session } = useSession();
  const [{ fetching, error }, placeOrder] = useMutation(PlaceOrderDocument);
  // A new key whenever the cart changes; the same key for retries of the same cart.
  const idempotencyKey = useMemo(newKey, [cart.lines]);
  const [failed, setFailed] = useState<string | null>(null);
  const total = sum(cart.lines.map((l) => times(l.unitPrice, l.quantity)));

  const checkout = async () => {
    setFailed(null);
    const result = await placeOrder({
      input: { idempotencyKey, items: cart.lines.map((l) => ({ productId: l.productId, quantity: l.quantity })) },
    });
    const order = result.data?.placeOrder;
    if (!order) return;
    if (order.status === 'FAILED') {
      setFailed('The order could not be placed (an item may have sold out); nothing was charged.');
      return;
    }
    cart.clear();
    navigate(`/account?placed=${encodeURIComponent(order.id)}`);
  };

  if (cart.lines.length === 0) {
    return (
      <section className="narrow">
        <h1>Cart</h1>
        <p>Your cart is empty.</p>
        <Link to="/">Browse products →</Link>
      </section>
    );
  }
  return (
    <section>
      <h1>Cart</h1>
      <table className="table">
        <thead>
          <tr>
            <th>Product</th>
            <th>Unit price</th>
            <th>Quantity</th>
            <th>Subtotal</th>
          </tr>
        </thead>
        <tbody>
          {cart.lines.map((line) => (
            <tr key={line.productId} data-testid="cart-line">
              <td>
                <Link to={`/products/${encodeURIComponent(line.sku)}`}>{line.name}</Link>
              </td>
              <td>{formatMoney(line.unitPrice)}</td>
              <td>
                <input
                  type="number"
                  aria-label={`Quantity of ${line.name}`}
                  min={0}
                  max={MAX_QUANTITY}
                  value={line.quantity}
                  onChange={(e) => cart.setQuantity(line.productId, Number(e.target.value))}
                />
              </td>
              <td>{formatMoney(times(line.unitPrice, line.quantity))}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <td colSpan={3}>Total (at catalogue prices; the order confirms the price)</td>
            <td>
              <strong>{total ? formatMoney(total) : 'mixed currencies'}</strong>
            </td>
          </tr>
        </tfoot>
      </table>
      <ErrorMessage error={error} />
      {failed ? (
        <div className="error" role="alert">
          <p>{failed}</p>
        </div>
      ) : null}
      {session ? (
        <button type="button" className="primary" disabled={fetching} onClick={checkout}>
          {fetching ? 'Placing order…' : 'Place order'}
        </button>
      ) : (
        <p>
          <Link to="/sign-in?next=/cart">Sign in</Link> to place your order.
        </p>
      )}
    </section>
  );
}
