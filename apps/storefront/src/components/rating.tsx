/** Five stars filled to the rating (a filled layer clipped over an empty one), for any fraction. */
export function Stars({ rating }: { rating: number }) {
  const percent = Math.max(0, Math.min(100, (rating / 5) * 100));
  return (
    <span className="stars" role="img" aria-label={`${rating.toFixed(1)} out of 5 stars`}>
      <span className="stars__empty" aria-hidden="true">
        ☆☆☆☆☆
      </span>
      <span className="stars__full" aria-hidden="true" style={{ width: `${percent}%` }}>
        ★★★★★
      </span>
    </span>
  );
}

/** An average rating with its review count, or a note when nobody has reviewed yet. */
export function Rating({ average, count }: { average: number | null; count: number | null }) {
  if (average === null || !count) return <span className="rating rating--none">No reviews yet</span>;
  return (
    <span className="rating">
      <Stars rating={average} />{' '}
      <span className="rating__text">
        {average.toFixed(1)} ({count} {count === 1 ? 'review' : 'reviews'})
      </span>
    </span>
  );
}
