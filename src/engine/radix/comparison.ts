import type { Block, RadixCiphertext } from '../block.js';
import { MESSAGE_MAX, PARAMS } from '../params.js';
import type { BlockEvaluator } from './block-evaluator.js';
import { addBlocks, addComplement, addPlaintext, complement, trivialBlock } from './block-ops.js';
import { scalarBlocks } from './scalar.js';

const MSG = PARAMS.messageModulus;
const isCarrySet = (x: number) => (x >= MSG ? 1 : 0);

/**
 * [a ≥ b] as the carry out of a + ¬b + 1: one bootstrap per block, from the least significant block
 * up, each keeping only the carry (s = a_i + 3 − b_i + c ≤ 7).
 */
export function greaterOrEqual(ev: BlockEvaluator, a: RadixCiphertext, b: RadixCiphertext): Block {
  let carry = trivialBlock(1);
  a.blocks.forEach((x, i) => {
    carry = ev.map(addBlocks(addComplement(x, b.blocks[i]!, MESSAGE_MAX), carry), isCarrySet);
  });
  return carry;
}

/** [a ≥ m] for a plaintext m, same carry chain with ¬m known. */
export function greaterOrEqualScalar(ev: BlockEvaluator, a: RadixCiphertext, scalar: bigint): Block {
  if (scalar <= 0n) return trivialBlock(1);
  if (scalar >= 1n << BigInt(2 * a.blocks.length)) return trivialBlock(0);
  const digits = scalarBlocks(scalar, a.blocks.length);
  let carry = trivialBlock(1);
  a.blocks.forEach((x, i) => {
    carry = ev.map(addBlocks(addPlaintext(x, MESSAGE_MAX - digits[i]!), carry), isCarrySet);
  });
  return carry;
}

export function booleanNot(bit: Block): Block {
  return complement(bit, 1);
}

/** [a = b]: per-block equality bits, then groups of up to max_noise_level bits checked for "all set". */
export function equal(ev: BlockEvaluator, a: RadixCiphertext, b: RadixCiphertext): Block {
  return allTrue(
    ev,
    ev.map2Many(
      a.blocks.map((x, i) => [x, b.blocks[i]!] as const),
      a.blocks.map(() => (u: number, v: number) => (u === v ? 1 : 0)),
    ),
  );
}

export function equalScalar(ev: BlockEvaluator, a: RadixCiphertext, scalar: bigint): Block {
  if (scalar < 0n || scalar >= 1n << BigInt(2 * a.blocks.length)) return trivialBlock(0);
  const digits = scalarBlocks(scalar, a.blocks.length);
  return allTrue(
    ev,
    ev.mapMany(
      a.blocks,
      digits.map((d) => (v: number) => (v === d ? 1 : 0)),
    ),
  );
}

/** AND of fresh 0/1 blocks: sum up to max_noise_level of them (noise stays in budget) and test the sum. */
function allTrue(ev: BlockEvaluator, bits: Block[]): Block {
  while (bits.length > 1) {
    const groups: Block[][] = [];
    for (let i = 0; i < bits.length; i += PARAMS.maxNoiseLevel)
      groups.push(bits.slice(i, i + PARAMS.maxNoiseLevel));
    // One batch per level; a lone last bit passes through.
    const lone = groups.at(-1)!.length === 1 ? groups.pop()![0]! : undefined;
    bits = ev.mapMany(
      groups.map((g) => g.reduce((s, x) => addBlocks(s, x))),
      groups.map((g) => (x: number) => (x === g.length ? 1 : 0)),
    );
    if (lone) bits.push(lone);
  }
  return bits[0]!;
}
