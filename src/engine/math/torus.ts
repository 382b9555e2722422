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

/** The u64 at `index` rounded to the 32-bit torus: its top 32 bits plus the rounding bit, wrapping. */
export function roundedHighWord(limbs: Uint32Array, index: number): number {
  return (limbs[2 * index + 1]! + (limbs[2 * index]! >>> 31)) | 0;
}

export function limbView(values: BigUint64Array): Uint32Array {
  return new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
}
