import { BIG_LWE_SIZE } from './params.js';

/**
 * One radix block: an LWE ciphertext under the big key ([a_0 … a_2047, b], native 2^64 modulus) of a
 * value in [0, 16) encoded as value·Δ. `degree` bounds the encrypted value (tfhe-rs degree tracking),
 * `noiseLevel` counts how many nominal-noise ciphertexts were summed into it (0 for trivial ones).
 */
export interface Block {
  lwe: BigUint64Array;
  degree: number;
  noiseLevel: number;
}

/** An encrypted fhEVM value: `blocks.length` 2-bit blocks, least significant first (Bool: one block). */
export interface RadixCiphertext {
  blocks: Block[];
}

export function newLwe(): BigUint64Array {
  return new BigUint64Array(BIG_LWE_SIZE);
}
