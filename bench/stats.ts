/** Small statistics for the benchmarks: percentiles over samples in milliseconds or microseconds. */
export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? NaN;
}

export const median = (samples: readonly number[]) => percentile(samples, 50);

/** Microseconds since `start` (from `process.hrtime.bigint()`). */
export function microsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1000;
}

/** Runs `fn` `count` times in sequence and returns each run's duration in microseconds. */
export async function timeEach(count: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    await fn(i);
    out.push(microsSince(start));
  }
  return out;
}

export const fmt = (n: number, digits = 1) => n.toFixed(digits);
