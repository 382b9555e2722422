import type { Block, RadixCiphertext } from '../block.js';
import { MESSAGE_MAX, PARAMS } from '../params.js';
import type { BlockEvaluator } from './block-evaluator.js';
import { addBlocks, addComplement, addPlaintext, complement, trivialBlock } from './block-ops.js';
import { parallelCarryApplies, parallelCarryWidths, propagateCarriesParallel } from './parallel-carry.js';
import { scalarBlocks } from './scalar.js';
import { parallelIsFaster } from './schedule.js';

const MSG = PARAMS.messageModulus;
/** Op outputs keep noise level ≤ 2 (two PBS outputs summed, e.g. select), so a + b + carry ≤ 5. */
export const MAX_OUTPUT_NOISE = 2;

const message = (x: number) => x % MSG;
const carry = (x: number) => Math.floor(x / MSG);

/**
 * Ripple carry propagation: block i plus the incoming carry is split by one blind rotation into its
 * message and its carry (two LUTs at once while the sum is below 8). The carry out of the last block is
 * dropped, which is the wrap-around modulo 2^bits. Carry-free, low-noise blocks pass through untouched.
 */
export function propagateCarries(ev: BlockEvaluator, blocks: Block[]): Block[] {
  const out: Block[] = [];
  let incoming: Block | undefined;
  blocks.forEach((block, i) => {
    const sum = incoming ? addBlocks(block, incoming) : block;
    incoming = undefined;
    if (sum.degree <= MESSAGE_MAX && sum.noiseLevel <= MAX_OUTPUT_NOISE) {
      out.push(sum);
    } else if (i === blocks.length - 1) {
      out.push(ev.map(sum, message));
    } else {
      const [msg, next] = ev.mapPair(sum, message, carry);
      out.push(msg);
      if (next.degree > 0) incoming = next;
    }
  });
  return out;
}

/**
 * An op's block sums with carries propagated: the ripple (n rounds of one bootstrap), or the parallel
 * prefix (about 3.4n bootstraps in ~log2 n rounds) when that is modelled faster on the evaluator's threads.
 */
export function propagateSums(ev: BlockEvaluator, sums: Block[]): Block[] {
  const parallel =
    parallelCarryApplies(sums) &&
    parallelIsFaster(ev, rippleWidths(sums.length), parallelCarryWidths(sums.length));
  return parallel ? propagateCarriesParallel(ev, sums) : propagateCarries(ev, sums);
}

/** The round widths of `propagateCarries` on n blocks of sums. */
export function rippleWidths(n: number): number[] {
  return Array.from({ length: n }, () => 1);
}

/** The value with carries propagated and noise refreshed, unless it already meets the op-output invariant. */
export function normalize(ev: BlockEvaluator, a: RadixCiphertext): RadixCiphertext {
  const clean = a.blocks.every((b) => b.degree <= MESSAGE_MAX && b.noiseLevel <= MAX_OUTPUT_NOISE);
  return clean ? a : { blocks: propagateCarries(ev, a.blocks) };
}

export function add(ev: BlockEvaluator, a: RadixCiphertext, b: RadixCiphertext): RadixCiphertext {
  return {
    blocks: propagateSums(
      ev,
      a.blocks.map((x, i) => addBlocks(x, b.blocks[i]!)),
    ),
  };
}

export function addScalar(ev: BlockEvaluator, a: RadixCiphertext, scalar: bigint): RadixCiphertext {
  const digits = scalarBlocks(scalar, a.blocks.length);
  return {
    blocks: propagateSums(
      ev,
      a.blocks.map((x, i) => (digits[i] ? addPlaintext(x, digits[i]) : x)),
    ),
  };
}

/** a − b = a + ¬b + 1 (two's complement), blockwise then one carry propagation. */
export function sub(ev: BlockEvaluator, a: RadixCiphertext, b: RadixCiphertext): RadixCiphertext {
  const blocks = a.blocks.map((x, i) => addComplement(x, b.blocks[i]!, MESSAGE_MAX));
  blocks[0] = addPlaintext(blocks[0]!, 1);
  return { blocks: propagateSums(ev, blocks) };
}

export function subScalar(ev: BlockEvaluator, a: RadixCiphertext, scalar: bigint): RadixCiphertext {
  const modulus = 1n << BigInt(2 * a.blocks.length);
  return addScalar(ev, a, (modulus - (scalar % modulus)) % modulus);
}

/** −a = ¬a + 1. */
export function neg(ev: BlockEvaluator, a: RadixCiphertext): RadixCiphertext {
  const blocks = a.blocks.map((x) => complement(x, MESSAGE_MAX));
  blocks[0] = addPlaintext(blocks[0]!, 1);
  return { blocks: propagateSums(ev, blocks) };
}

/** Value with all blocks trivially encrypted. */
export function trivialRadix(value: bigint, blockCount: number): RadixCiphertext {
  return { blocks: scalarBlocks(value, blockCount).map(trivialBlock) };
}
