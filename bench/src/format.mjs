// Number formatting shared by the tables.

/** @param {number} value @param {number} [digits] */
export const fixed = (value, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
/** Milliseconds, one decimal below 10. @param {number} ms */
export const latency = (ms) => (!Number.isFinite(ms) ? '–' : ms < 10 ? ms.toFixed(1) : ms.toFixed(0));
/** Every kind of failed request. @param {import('./report.mjs').Row} row */
export const errors = (row) => String(row.non2xx + row.failed + row.graphqlErrors);
/** "2.12×" @param {number} value */
export const times = (value) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '–');
/** "12.3 KB" or "640 B" @param {number} bytes */
export const size = (bytes) => (!Number.isFinite(bytes) ? '–' : bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${bytes.toFixed(0)} B`);
/** @param {boolean} ok */
export const mark = (ok) => (ok ? '✔' : '✘');

/** @param {number[]} values */
export function geomean(values) {
  const finite = values.filter((v) => Number.isFinite(v) && v > 0);
  return finite.length ? Math.exp(finite.reduce((sum, v) => sum + Math.log(v), 0) / finite.length) : Number.NaN;
}
