// The percentile every figure in a report uses (recovery, detection latency, benchmarks).

/** Nearest-rank percentile: always a value that was actually observed, never interpolated. */
export function nearestRank(values: readonly number[], percentile: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((percentile / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}
