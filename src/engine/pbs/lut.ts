import { PARAMS } from '../params.js';

const N = PARAMS.polynomialSize;
const SPACE = PARAMS.messageModulus * PARAMS.carryModulus;
const BOX = N / SPACE;
/** Δ = 2^59 lies in the high word: value·Δ has high word value·2^27 (mod 32 values wrap the torus). */
const DELTA_HIGH = 2 ** 27;

/** A programmable-bootstrap lookup table over the 16 block values (input must keep the padding bit 0). */
export interface Lut {
  /** Output block value for each input 0..15. */
  readonly table: readonly number[];
  /** Largest output: the degree of the bootstrapped block. */
  readonly maxValue: number;
  /**
   * High words of the accumulator body polynomial before rotation by the input: box i holds f(i)·Δ,
   * shifted by half a box so that noisy inputs round to the nearest box (tfhe-rs accumulator layout).
   */
  readonly bodyHigh: Uint32Array;
}

const cache = new Map<string, Lut>();

/** The LUT of f on block values 0..15; f's outputs must lie in [0, 16). Cached by table. */
export function lutOf(f: (x: number) => number): Lut {
  const table = Array.from({ length: SPACE }, (_, x) => f(x));
  const key = table.join(',');
  const cached = cache.get(key);
  if (cached) return cached;
  for (const v of table) {
    if (!Number.isInteger(v) || v < 0 || v >= SPACE) throw new RangeError(`LUT output ${v} outside [0, 16)`);
  }
  const boxes = new Uint32Array(N);
  for (let j = 0; j < N; j++) boxes[j] = table[Math.floor(j / BOX)]! * DELTA_HIGH;
  // Negate the first half box, then rotate the whole vector left by half a box (plain rotation): the
  // wrapped-around half box is the negacyclic continuation of box 0.
  const half = BOX / 2;
  for (let j = 0; j < half; j++) boxes[j] = (2 ** 32 - boxes[j]!) >>> 0;
  const bodyHigh = new Uint32Array(N);
  for (let j = 0; j < N; j++) bodyHigh[j] = boxes[(j + half) % N]!;
  const lut: Lut = { table, maxValue: Math.max(...table), bodyHigh };
  cache.set(key, lut);
  return lut;
}

/** f on the packed pair (hi, lo) = (⌊x/4⌋, x mod 4): the bivariate LUT for inputs packed as 4·hi + lo. */
export function bivariateLutOf(f: (hi: number, lo: number) => number): Lut {
  return lutOf((x) => f(x >> 2, x & 3));
}
