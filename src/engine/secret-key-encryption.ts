import { randomFillSync } from 'node:crypto';
import { blocksOf, FheType } from '../fhevm/fhe-types.js';
import type { Block, RadixCiphertext } from './block.js';
import { TUniformSampler } from './math/secure-random.js';
import { BIG_LWE_SIZE, DELTA, PARAMS } from './params.js';

const MASK64 = (1n << 64n) - 1n;

/**
 * Encrypts `value` as a fhEVM ciphertext of `type` under the big secret key: one LWE per 2-bit block,
 * uniform mask, TUniform noise, the same shape and noise a bootstrapped engine result has. Microseconds
 * per block instead of a bootstrap: what the cleartext compute mode stores for each result.
 */
export function encryptWithSecretKey(value: bigint, type: FheType, glweKey: Uint8Array): RadixCiphertext {
  const noise = new TUniformSampler(PARAMS.glweNoiseBoundLog2);
  const messageBits = BigInt(Math.log2(PARAMS.messageModulus));
  const digitMask = BigInt(PARAMS.messageModulus - 1);
  const blocks: Block[] = [];
  let rest = type === FheType.Bool ? value & 1n : value;
  for (let i = 0; i < blocksOf(type); i++) {
    blocks.push(encryptBlock(Number(rest & digitMask), glweKey, noise));
    rest >>= messageBits;
  }
  return { blocks };
}

/** One block holding `digit` (0..15: message and carry space), fresh noise. */
export function encryptBlock(
  digit: number,
  glweKey: Uint8Array,
  noise = new TUniformSampler(PARAMS.glweNoiseBoundLog2),
): Block {
  const lwe = new BigUint64Array(BIG_LWE_SIZE);
  randomFillSync(lwe.subarray(0, BIG_LWE_SIZE - 1));
  let dot = 0n;
  for (let i = 0; i < glweKey.length; i++) if (glweKey[i] === 1) dot += lwe[i]!;
  lwe[BIG_LWE_SIZE - 1] = (dot + BigInt(noise.sample()) + BigInt(digit) * DELTA) & MASK64;
  return { lwe, degree: digit, noiseLevel: 1 };
}
