/**
 * Statistics of benchmark rounds: medians with min-max, and ratios taken round by round.
 *
 * @module
 */

/** A value summarised over rounds. */
export interface Stats {
  median: number;
  min: number;
  max: number;
}

/**
 * Median, min and max of the values (NaN for none).
 *
 * @example
 * ```ts
 * summarise([3, 1, 2]); // { median: 2, min: 1, max: 3 }
 * ```
 */
export function summarise(values: readonly number[]): Stats {
  if (values.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  return { median, min: sorted[0] ?? 0, max: sorted[sorted.length - 1] ?? 0 };
}

/**
 * The per-round ratios `ours[i] / theirs[i]`, summarised: both sides were measured in the
 * same round, so the ratio holds even when the machine's speed drifts between rounds.
 *
 * @example
 * ```ts
 * ratio([10, 20], [5, 5]); // { median: 3, min: 2, max: 4 }
 * ```
 */
export function ratio(ours: readonly number[], theirs: readonly number[]): Stats {
  const count = Math.min(ours.length, theirs.length);
  const values: number[] = [];
  for (let index = 0; index < count; index++) {
    const divisor = theirs[index] ?? 0;
    if (divisor > 0) values.push((ours[index] ?? 0) / divisor);
  }
  return summarise(values);
}

/**
 * The value at quantile `q` (0..1) of the samples, by nearest rank.
 *
 * @example
 * ```ts
 * quantile([1, 2, 3, 4], 0.5); // 2
 * ```
 */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = Float64Array.from(samples).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/**
 * A number for a table: thousands separators above 100, else 3 significant digits.
 *
 * @example
 * ```ts
 * formatNumber(12345.6); // '12,346'
 * ```
 */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/**
 * `median (min–max)`.
 *
 * @example
 * ```ts
 * formatStats({ median: 2, min: 1, max: 3 }); // '2.00 (1.00–3.00)'
 * ```
 */
export function formatStats(stats: Stats): string {
  return `${formatNumber(stats.median)} (${formatNumber(stats.min)}–${formatNumber(stats.max)})`;
}

/**
 * A ratio for a table: `**2.00x** (1.50–2.50)`.
 *
 * @example
 * ```ts
 * formatRatio({ median: 2, min: 1.5, max: 2.5 }); // '**2.00x** (1.50–2.50)'
 * ```
 */
export function formatRatio(stats: Stats): string {
  return `**${formatNumber(stats.median)}x** (${formatNumber(stats.min)}–${formatNumber(stats.max)})`;
}
