/**
 * Torus (mod 2^64) helpers on (lo, hi) u32 limb pairs — the little-endian view of a BigUint64Array —
 * so hot loops never touch BigInt.
 */

export const TWO_32 = 2 ** 32;
export const TWO_64 = 2 ** 64;

/** Adds an integer-valued double v (|v| < 2^53) to the u64 at `index` of a limb view, mod 2^64. */
export function addIntegerToLimbs(limbs: Uint32Array, index: number, v: number): void {
  const high = Math.floor(v / TWO_32);
  const low = v - high * TWO_32;
  const lo = limbs[2 * index]! + low;
  const carry = lo >= TWO_32 ? 1 : 0;
  limbs[2 * index] = lo;
  limbs[2 * index + 1] = limbs[2 * index + 1]! + high + carry;
}

/**
 * Adds a torus value given as a double of any magnitude (e.g. a rounded FFT output ~2^90) to the u64 at
 * `index`, mod 2^64. Doubles above 2^53 are integers already; the residue mod 2^64 is exact for
 * |v| < 2^116, and below 2^64 the result loses at most 2^11 — far under the 2^48 PBS noise.
 */
export function addTorusDoubleToLimbs(limbs: Uint32Array, index: number, v: number): void {
  let r = Math.round(v);
  r -= Math.floor(r / TWO_64) * TWO_64;
  const high = Math.floor(r / TWO_32);
  const low = r - high * TWO_32;
  const lo = limbs[2 * index]! + low;
  const carry = lo >= TWO_32 ? 1 : 0;
  limbs[2 * index] = lo;
  limbs[2 * index + 1] = limbs[2 * index + 1]! + high + carry;
}

/** The u64 at `index` rounded to the 32-bit torus: its top 32 bits plus the rounding bit, wrapping. */
export function roundedHighWord(limbs: Uint32Array, index: number): number {
  return (limbs[2 * index + 1]! + (limbs[2 * index]! >>> 31)) | 0;
}

export function limbView(values: BigUint64Array): Uint32Array {
  return new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
}
