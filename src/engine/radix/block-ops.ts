import { type Block, newLwe } from '../block.js';
import { BIG_LWE_SIZE } from '../params.js';

/**
 * Linear (PBS-free) block operations on the limb view of the LWE. Degrees and noise levels follow
 * tfhe-rs: sums add both, scalar multiples multiply both, plaintext additions add to the degree only.
 */

/** value·Δ in the high word: Δ = 2^59, so value·2^27 (values mod 32 wrap the torus). */
const DELTA_HIGH = 2 ** 27;
const BODY_HIGH = 2 * BIG_LWE_SIZE - 1;

function limbs(lwe: BigUint64Array): Uint32Array {
  return new Uint32Array(lwe.buffer, lwe.byteOffset, lwe.length * 2);
}

/** Noiseless encryption of `value` (mask 0): tfhe-rs trivial ciphertext. */
export function trivialBlock(value: number): Block {
  const lwe = newLwe();
  limbs(lwe)[BODY_HIGH] = value * DELTA_HIGH;
  return { lwe, degree: value, noiseLevel: 0 };
}

export function addBlocks(a: Block, b: Block): Block {
  const lwe = newLwe();
  const x = limbs(a.lwe);
  const y = limbs(b.lwe);
  const z = limbs(lwe);
  for (let i = 0; i < z.length; i += 2) {
    const lo = x[i]! + y[i]!;
    z[i] = lo;
    z[i + 1] = x[i + 1]! + y[i + 1]! + (lo >= 2 ** 32 ? 1 : 0);
  }
  return { lwe, degree: a.degree + b.degree, noiseLevel: a.noiseLevel + b.noiseLevel };
}

/** a + offset − b, with b ≤ offset so no value goes negative (offset = 3 gives a + ¬b). */
export function addComplement(a: Block, b: Block, offset: number): Block {
  if (b.degree > offset) throw new RangeError(`block degree ${b.degree} exceeds complement offset ${offset}`);
  const lwe = newLwe();
  const x = limbs(a.lwe);
  const y = limbs(b.lwe);
  const z = limbs(lwe);
  for (let i = 0; i < z.length; i += 2) {
    const borrow = x[i]! < y[i]! ? 1 : 0;
    z[i] = x[i]! - y[i]!;
    z[i + 1] = x[i + 1]! - y[i + 1]! - borrow;
  }
  z[BODY_HIGH] = z[BODY_HIGH]! + offset * DELTA_HIGH;
  return { lwe, degree: a.degree + offset, noiseLevel: a.noiseLevel + b.noiseLevel };
}

/** offset − b (b ≤ offset): ¬b for offset 3, 1 − b for booleans. */
export function complement(b: Block, offset: number): Block {
  return addComplement(trivialBlock(0), b, offset);
}

export function addPlaintext(a: Block, value: number): Block {
  const lwe = a.lwe.slice();
  const z = limbs(lwe);
  z[BODY_HIGH] = z[BODY_HIGH]! + value * DELTA_HIGH;
  return { lwe, degree: a.degree + value, noiseLevel: a.noiseLevel };
}

/** Adds a raw amount to the body's high word (fractions of Δ, e.g. Δ/2 = 2^26). Degree unchanged. */
export function addPlaintextHigh(a: Block, high: number): Block {
  const lwe = a.lwe.slice();
  const z = limbs(lwe);
  z[BODY_HIGH] = z[BODY_HIGH]! + high;
  return { lwe, degree: a.degree, noiseLevel: a.noiseLevel };
}

/** k·a for a small non-negative integer k. */
export function scaleBlock(a: Block, k: number): Block {
  const lwe = newLwe();
  const x = limbs(a.lwe);
  const z = limbs(lwe);
  for (let i = 0; i < z.length; i += 2) {
    const lo = x[i]! * k;
    const carry = Math.floor(lo / 2 ** 32);
    z[i] = lo - carry * 2 ** 32;
    z[i + 1] = x[i + 1]! * k + carry;
  }
  return { lwe, degree: a.degree * k, noiseLevel: a.noiseLevel * k };
}
