import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { MAX_QUANTITY, useCart } from '../cart';
import { ErrorMessage } from '../components/error-message';
import { Rating, Stars } from '../components/rating';
import { AddReviewDocument, ProductPageDocument } from '../generated/graphql';
import { formatDate, formatMoney, type Money } from '../money';
import { Link } from '../navigation';
import { useSession } from '../session';

const REVIEWS_PAGE = 5;

/** The orders subgraph computes it; null when orders is down (the rest of the page still shows). */
function shipping(estimate: Money | null): string {
  if (!estimate) return 'Estimate unavailable right now';
  return estimate.amountCents === 0 ? 'Free shipping' : `${formatMoney(estimate)} estimated`;
}

/** One product by SKU: details, stock, shipping estimate (computed by the orders subgraph) and reviews. */
export function ProductPage({ sku }: { sku: string }) {
  const [reviewCursors, setReviewCursors] = useState<(string | null)[]>([null]);
  const [{ data, fetching, error }, refetch] = useQuery({
    query: ProductPageDocument,
    variables: { sku, reviewsFirst: REVIEWS_PAGE, reviewsAfter: reviewCursors[reviewCursors.length - 1] ?? null },
  });
  const cart = useCart();
  const [quantity, setQuantity] = useState(1);
  const [added, setAdded] = useState(false);

  const product = data?.productBySku;
  if (!product) {
    return (
      <section>
        <ErrorMessage error={error} />
        {fetching ? <p className="muted">Loading…</p> : <p>There is no product with SKU {sku}.</p>}
        <Link to="/">← All products</Link>
      </section>
    );
  }
  const reviews = product.reviews;
  return (
    <article className="product">
      <Link to="/">← All products</Link>
      <h1>{product.name}</h1>
      <p className="muted">SKU {product.sku}</p>
      <Rating average={product.averageRating} count={product.reviewCount} />
      {product.description ? <p className="product__description">{product.description}</p> : null}
      <dl className="facts">
        <dt>Price</dt>
        <dd className="price">{formatMoney(product.price)}</dd>
        <dt>Shipping</dt>
        <dd data-testid="shipping-estimate">{shipping(product.shippingEstimate)}</dd>
        <dt>Stock</dt>
        <dd>{product.stock > 0 ? `${product.stock} in stock` : 'Out of stock'}</dd>
      </dl>
      <form
        className="buy"
        onSubmit={(event) => {
          event.preventDefault();
          cart.add({ productId: product.id, sku: product.sku, name: product.name, unitPrice: product.price }, quantity);
          setAdded(true);
        }}
      >
        <label>
          Quantity{' '}
          <input type="number" min={1} max={Math.min(MAX_QUANTITY, Math.max(1, product.stock))} value={quantity} onChange={(e) => setQuantity(Number(e.target.value) || 1)} />
        </label>
        <button type="submit" disabled={product.stock === 0}>
          Add to cart
        </button>
        {added ? (
          <span className="ok">
            Added. <Link to="/cart">Go to cart →</Link>
          </span>
        ) : null}
      </form>

      <section className="reviews">
        <h2>Reviews {reviews ? `(${reviews.totalCount})` : ''}</h2>
        {reviews === null ? <p className="muted">Reviews are unavailable right now.</p> : null}
        {reviews?.edges.length === 0 ? <p className="muted">No reviews yet.</p> : null}
        <ul className="review-list">
          {reviews?.edges.map(({ node }) => (
            <li key={node.id} className="review" data-testid="review">
              <Stars rating={node.rating} />{' '}
              <strong>{node.author?.name ?? 'A customer'}</strong> <span className="muted">· {formatDate(node.createdAt)}</span>
              <p>{node.body}</p>
            </li>
          ))}
        </ul>
        <div className="pager">
          <button type="button" disabled={reviewCursors.length === 1} onClick={() => setReviewCursors((c) => c.slice(0, -1))}>
            ← Newer
          </button>
          <button type="button" disabled={!reviews?.pageInfo.hasNextPage} onClick={() => setReviewCursors((c) => [...c, reviews?.pageInfo.endCursor ?? null])}>
            Older →
          </button>
        </div>
        <ReviewForm productId={product.id} onAdded={() => refetch()} />
      </section>
    </article>
  );
}

function ReviewForm({ productId, onAdded }: { productId: string; onAdded: () => void }) {
  const { session } = useSession();
  const [rating, setRating] = useState(5);
  const [body, setBody] = useState('');
  const [{ fetching, error }, addReview] = useMutation(AddReviewDocument);
  if (!session) {
    return (
      <p className="muted">
        <Link to={`/sign-in?next=${encodeURIComponent(window.location.pathname)}`}>Sign in</Link> to write a review.
      </p>
    );
  }
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await addReview({ input: { productId, rating, body } });
    if (!result.error) {
      setBody('');
      onAdded();
    }
  };
  return (
    <form className="review-form" onSubmit={submit}>
      <h3>Write a review</h3>
      <label>
        Rating{' '}
        <select value={rating} onChange={(e) => setRating(Number(e.target.value))}>
          {[5, 4, 3, 2, 1].map((n) => (
            <option key={n} value={n}>
              {n} {n === 1 ? 'star' : 'stars'}
            </option>
          ))}
        </select>
      </label>
      <textarea aria-label="Review" required maxLength={5000} value={body} onChange={(e) => setBody(e.target.value)} placeholder="What did you think?" />
      <ErrorMessage error={error} />
      <button type="submit" disabled={fetching || body.trim() === ''}>
        Post review
      </button>
    </form>
  );
}
