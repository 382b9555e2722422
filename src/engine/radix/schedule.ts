import type { BlockEvaluator } from './block-evaluator.js';

/**
 * Latency of a bootstrap schedule on `threads` threads, in PBS times: each round's bootstraps are
 * independent and split evenly, rounds run one after another (Σ ⌈width / threads⌉).
 */
export function modelledPbsTimes(roundWidths: readonly number[], threads: number): number {
  return roundWidths.reduce((sum, width) => sum + Math.ceil(width / threads), 0);
}

/**
 * Whether an op takes its parallel algorithm: forced by the evaluator's choice, else when its modelled
 * latency on the evaluator's threads is lower (a tie keeps the sequential one, which has fewer PBS).
 */
export function parallelIsFaster(
  ev: BlockEvaluator,
  sequentialWidths: readonly number[],
  parallelWidths: readonly number[],
): boolean {
  if (ev.algorithm !== 'auto') return ev.algorithm === 'parallel';
  return modelledPbsTimes(parallelWidths, ev.threads) < modelledPbsTimes(sequentialWidths, ev.threads);
}

/**
 * Sklansky parallel prefix over `count` entries: ⌈log2 count⌉ levels; at level l every entry i with bit l
 * set combines with the last entry of the lower half of its 2^(l+1)-aligned span. Same depth as
 * Hillis–Steele with about half the combines ((count/2)·log2 count instead of count·log2 count − count),
 * which is what matters once a level is wider than the threads. Returns [entry, source] per level.
 */
export function sklanskyLevels(count: number): [number, number][][] {
  const levels: [number, number][][] = [];
  for (let l = 0; 1 << l < count; l++) {
    const level: [number, number][] = [];
    for (let i = 0; i < count; i++) if ((i >> l) & 1) level.push([i, ((i >> l) << l) - 1]);
    levels.push(level);
  }
  return levels;
}
