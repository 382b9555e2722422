import type { Block, RadixCiphertext } from '../block.js';
import { expandSeed } from '../math/secure-random.js';
import { PARAMS } from '../params.js';
import type { BlockEvaluator } from './block-evaluator.js';
import { addPlaintextHigh, trivialBlock } from './block-ops.js';

const N = PARAMS.polynomialSize;
const TWO_N = 2 * N;
/** Half of Δ in the high word (Δ/2 = 2^58). */
const HALF_DELTA_HIGH = 2 ** 26;

/**
 * Oblivious pseudo-random value, deterministic in (seed, keys) — the idea of tfhe-rs's OPRF, not its
 * bit-exact algorithm: the seed expands (AES-CTR) into an already modulus-switched LWE under the small
 * key, whose phase is uniform mod 2N and unknown without the key. Blind-rotating a staircase
 * accumulator turns the phase quarter (or half) into 2 (or 1) uniform bits, encrypted under the big key.
 */
export function obliviousRandom(
  ev: BlockEvaluator,
  seed: Uint8Array,
  bits: number,
  blockCount: number,
): RadixCiphertext {
  const blocks: Block[] = [];
  for (let i = 0; i < blockCount; i++) {
    const blockBits = Math.min(2, bits - 2 * i);
    blocks.push(blockBits <= 0 ? trivialBlock(0) : randomBlock(ev, seed, i, blockBits));
  }
  return { blocks };
}

function randomBlock(ev: BlockEvaluator, seed: Uint8Array, index: number, bits: number): Block {
  const words = new Uint32Array(expandSeed(seed, index, PARAMS.smallDimension + 1).buffer);
  const mask = new Uint32Array(PARAMS.smallDimension);
  for (let k = 0; k < mask.length; k++) mask[k] = words[2 * k]! % TWO_N;
  const body = words[2 * PARAMS.smallDimension]! % TWO_N;
  // Outputs ±Δ/2 (1 bit) or ±Δ/2, ±3Δ/2 (2 bits) by phase range; the offset maps them onto 0..2^bits−1.
  const accumulator = new Uint32Array(N);
  for (let j = 0; j < N; j++)
    accumulator[j] = bits === 1 || j < N / 2 ? HALF_DELTA_HIGH : 3 * HALF_DELTA_HIGH;
  const offset = bits === 1 ? HALF_DELTA_HIGH : 3 * HALF_DELTA_HIGH;
  const lwe = ev.rotateSwitched(mask, body, accumulator);
  return { ...addPlaintextHigh({ lwe, degree: 0, noiseLevel: 1 }, offset), degree: (1 << bits) - 1 };
}
