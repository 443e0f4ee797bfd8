import { useState, type FormEvent } from 'react';
import { useQuery } from 'urql';
import { useCart } from '../cart';
import { ErrorMessage } from '../components/error-message';
import { Rating } from '../components/rating';
import { ProductListingDocument } from '../generated/graphql';
import { formatMoney } from '../money';
import { Link, navigate } from '../navigation';

const PAGE_SIZE = 12;

/** The catalogue (`/?q=search`): one page of products with price and rating, a name search, and cursor paging. */
export function ProductListingPage({ search }: { search: string }) {
  // Cursors of the pages before this one, so "Previous" works without offsets.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1] ?? null;
  const [{ data, fetching, error }] = useQuery({
    query: ProductListingDocument,
    variables: { first: PAGE_SIZE, after, search: search || null },
  });
  const cart = useCart();
  const [draft, setDraft] = useState(search);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const q = draft.trim();
    // The app keys this page by its search, so a new search starts again at page 1.
    navigate(q ? `/?q=${encodeURIComponent(q)}` : '/');
  };

  const products = data?.products;
  return (
    <section>
      <div className="listing__head">
        <h1>Products</h1>
        <form className="search" role="search" onSubmit={submit}>
          <input type="search" aria-label="Search products" placeholder="Search by name" value={draft} onChange={(e) => setDraft(e.target.value)} maxLength={100} />
          <button type="submit">Search</button>
        </form>
      </div>
      <ErrorMessage error={error} />
      {products ? (
        <>
          <p className="muted">
            {products.totalCount} {products.totalCount === 1 ? 'product' : 'products'}
            {search ? ` matching “${search}”` : ''} · page {cursors.length}
          </p>
          <ul className="grid">
            {products.edges.map(({ node }) => (
              <li key={node.id} className="card" data-testid="product-card">
                <Link to={`/products/${encodeURIComponent(node.sku)}`} className="card__name">
                  {node.name}
                </Link>
                <span className="card__sku">{node.sku}</span>
                <Rating average={node.averageRating} count={node.reviewCount} />
                <div className="card__foot">
                  <strong className="price">{formatMoney(node.price)}</strong>
                  <button type="button" onClick={() => cart.add({ productId: node.id, sku: node.sku, name: node.name, unitPrice: node.price })}>
                    Add to cart
                  </button>
                </div>
              </li>
            ))}
          </ul>
          <div className="pager">
            <button type="button" disabled={cursors.length === 1 || fetching} onClick={() => setCursors((c) => c.slice(0, -1))}>
              ← Previous
            </button>
            <button
              type="button"
              disabled={!products.pageInfo.hasNextPage || fetching}
              onClick={() => setCursors((c) => [...c, products.pageInfo.endCursor])}
            >
              Next →
            </button>
          </div>
        </>
      ) : fetching ? (
        <p className="muted">Loading products…</p>
      ) : null}
    </section>
  );
}
