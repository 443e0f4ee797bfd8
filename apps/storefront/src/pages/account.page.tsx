import { useEffect, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { ErrorMessage, isUnauthenticated } from '../components/error-message';
import { AccountPageDocument, CancelOrderDocument, type OrderStatus } from '../generated/graphql';
import { formatDate, formatMoney } from '../money';
import { Link } from '../navigation';
import { useSession } from '../session';

const ORDERS_PAGE = 10;
const CANCELLABLE: OrderStatus[] = ['CONFIRMED'];

/** The signed-in user's profile and orders (newest first), with cancel on confirmed orders. */
export function AccountPage({ placed }: { placed: string | null }) {
  const { session, signOut } = useSession();
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [{ data, fetching, error }, refetch] = useQuery({
    query: AccountPageDocument,
    variables: { ordersFirst: ORDERS_PAGE, ordersAfter: cursors[cursors.length - 1] ?? null },
    pause: !session,
  });
  const [cancelState, cancelOrder] = useMutation(CancelOrderDocument);
  // A token that expired or a user that no longer exists: `me` is null; start over at sign-in.
  const expired = session !== null && !fetching && (isUnauthenticated(error) || (data !== undefined && data.me === null));
  useEffect(() => {
    if (expired) signOut();
  }, [expired, signOut]);

  if (!session) {
    return (
      <section className="narrow">
        <h1>Your account</h1>
        <p>
          <Link to="/sign-in?next=/account">Sign in</Link> to see your orders.
        </p>
      </section>
    );
  }
  const me = data?.me;
  const orders = me?.orders;
  return (
    <section>
      <h1>Your account</h1>
      <ErrorMessage error={error} />
      {me ? (
        <dl className="facts">
          <dt>Name</dt>
          <dd>{me.name}</dd>
          <dt>Email</dt>
          <dd>{me.email ?? '—'}</dd>
          <dt>Member since</dt>
          <dd>{formatDate(me.createdAt)}</dd>
        </dl>
      ) : fetching ? (
        <p className="muted">Loading…</p>
      ) : null}
      {placed ? (
        <p className="ok" role="status">
          Thank you! Your order is placed.
        </p>
      ) : null}
      <h2>Orders {orders ? `(${orders.totalCount})` : ''}</h2>
      {me && orders === null ? <p className="muted">Orders are unavailable right now.</p> : null}
      {orders?.edges.length === 0 ? <p className="muted">No orders yet.</p> : null}
      <ErrorMessage error={cancelState.error} />
      <ul className="orders">
        {orders?.edges.map(({ node: order }) => (
          <li key={order.id} className={`order${order.id === placed ? ' order--placed' : ''}`} data-testid="order">
            <div className="order__head">
              <span className={`status status--${order.status.toLowerCase()}`}>{order.status}</span>
              <span className="muted">
                {formatDate(order.createdAt)} · order {order.id.slice(0, 8)}
              </span>
              <strong className="order__total">{formatMoney(order.total)}</strong>
            </div>
            <ul className="order__items">
              {order.items.map((item, i) => (
                <li key={item.product?.id ?? i}>
                  {item.quantity} ×{' '}
                  {item.product ? <Link to={`/products/${encodeURIComponent(item.product.sku)}`}>{item.product.name}</Link> : 'a product'} at{' '}
                  {formatMoney(item.unitPrice)}
                </li>
              ))}
            </ul>
            {CANCELLABLE.includes(order.status) ? (
              <button
                type="button"
                className="link-button"
                disabled={cancelState.fetching}
                onClick={async () => {
                  const result = await cancelOrder({ id: order.id });
                  if (!result.error) refetch();
                }}
              >
                Cancel order
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      <div className="pager">
        <button type="button" disabled={cursors.length === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
          ← Newer
        </button>
        <button type="button" disabled={!orders?.pageInfo.hasNextPage} onClick={() => setCursors((c) => [...c, orders?.pageInfo.endCursor ?? null])}>
          Older →
        </button>
      </div>
    </section>
  );
}
