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
  const n = ifTrue.blocks.length;
  // One batch: the n kept blocks, then the n other ones.
  const terms = ev.map2Many(
    [...ifTrue.blocks.map((t) => [c, t] as const), ...ifFalse.blocks.map((f) => [c, f] as const)],
    [
      ...ifTrue.blocks.map(() => (bit: number, v: number) => (bit ? v : 0)),
      ...ifFalse.blocks.map(() => (bit: number, v: number) => (bit ? 0 : v)),
    ],
  );
  return {
    blocks: terms.slice(0, n).map((kept, i) => {
      const other = terms[n + i]!;
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
  return {
    blocks: ev.map2Many(
      ifTrue.blocks.map((t) => [c, t] as const),
      digits.map((d) => (bit: number, v: number) => (bit ? v : d)),
    ),
  };
}
