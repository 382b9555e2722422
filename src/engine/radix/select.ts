import type { Block, RadixCiphertext } from '../block.js';
import type { BlockEvaluator } from './block-evaluator.js';
import { addBlocks } from './block-ops.js';
import { scalarBlocks } from './scalar.js';

/**
 * control ? ifTrue : ifFalse, per block: keep(c, t_i) + keep(¬c, f_i) with two bivariate bootstraps.
 * Exactly one term is non-zero, so the sum's degree is the larger of the two (noise level 2).
 */
export function select(
  ev: BlockEvaluator,
  control: Block,
  ifTrue: RadixCiphertext,
  ifFalse: RadixCiphertext,
): RadixCiphertext {
  const c = ev.clean(control, 1);
  return {
    blocks: ifTrue.blocks.map((t, i) => {
      const kept = ev.map2(c, t, (bit, v) => (bit ? v : 0));
      const other = ev.map2(c, ifFalse.blocks[i]!, (bit, v) => (bit ? 0 : v));
      const sum = addBlocks(kept, other);
      return { ...sum, degree: Math.max(kept.degree, other.degree) };
    }),
  };
}

/** control ? a : m for a plaintext m: one bivariate bootstrap per block. */
export function selectScalarElse(
  ev: BlockEvaluator,
  control: Block,
  ifTrue: RadixCiphertext,
  scalar: bigint,
): RadixCiphertext {
  const c = ev.clean(control, 1);
  const digits = scalarBlocks(scalar, ifTrue.blocks.length);
  return { blocks: ifTrue.blocks.map((t, i): Block => ev.map2(c, t, (bit, v) => (bit ? v : digits[i]!))) };
}
