import type { Block, RadixCiphertext } from '../block.js';
import type { BlockEvaluator } from './block-evaluator.js';
import { complement, trivialBlock } from './block-ops.js';
import { scalarBlocks } from './scalar.js';

export type BitOp = 'and' | 'or' | 'xor';

const APPLY: Record<BitOp, (x: number, y: number) => number> = {
  and: (x, y) => x & y,
  or: (x, y) => x | y,
  xor: (x, y) => x ^ y,
};

/** Blockwise bivariate PBS: one bootstrap per block, one batch. Works for booleans (one block of 0/1) too. */
export function bitwise(
  ev: BlockEvaluator,
  op: BitOp,
  a: RadixCiphertext,
  b: RadixCiphertext,
): RadixCiphertext {
  const f = APPLY[op];
  return {
    blocks: ev.map2Many(
      a.blocks.map((x, i) => [x, b.blocks[i]!] as const),
      a.blocks.map(() => f),
    ),
  };
}

/**
 * With a plaintext operand most blocks need no bootstrap: x & 0 = 0, x & ones = x, x | 0 = x,
 * x | ones = ones, x ^ 0 = x, x ^ ones = ¬x (linear); any other digit is a univariate PBS.
 * `ones` is 3 for 2-bit blocks, 1 for a boolean.
 */
export function bitwiseScalar(
  ev: BlockEvaluator,
  op: BitOp,
  a: RadixCiphertext,
  scalar: bigint,
  ones: number,
): RadixCiphertext {
  const digits = scalarBlocks(scalar, a.blocks.length);
  const f = APPLY[op];
  const pbs: number[] = [];
  const blocks = a.blocks.map((x, i): Block => {
    const m = digits[i]! & ones;
    if (m === 0) return op === 'and' ? trivialBlock(0) : x;
    if (m === ones) {
      if (op === 'and') return x;
      if (op === 'or') return trivialBlock(ones);
      return complement(x, ones);
    }
    pbs.push(i);
    return x;
  });
  const mapped = ev.mapMany(
    pbs.map((i) => blocks[i]!),
    pbs.map((i) => (v: number) => f(v, digits[i]! & ones)),
  );
  pbs.forEach((i, k) => {
    blocks[i] = mapped[k]!;
  });
  return { blocks };
}

/** Bitwise not: ones − x per block, no bootstrap. */
export function not(a: RadixCiphertext, ones: number): RadixCiphertext {
  return { blocks: a.blocks.map((x) => complement(x, ones)) };
}
