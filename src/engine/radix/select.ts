import type { Block, RadixCiphertext } from '../block.js';
import type { BlockEvaluator } from './block-evaluator.js';
import { addBlocks, trivialBlock } from './block-ops.js';
import { scalarBlocks } from './scalar.js';

/**
 * control ? ifTrue : ifFalse, per block: keep(c, t_i) + keep(¬c, f_i) with two bivariate bootstraps.
 * Exactly one term is non-zero, so the sum's degree is the larger of the two (noise level 2). A block of
 * degree 0 (e.g. of a trivial zero, `select(c, x, 0)`) gives a zero term without a bootstrap.
 */
export function select(
  ev: BlockEvaluator,
  control: Block,
  ifTrue: RadixCiphertext,
  ifFalse: RadixCiphertext,
): RadixCiphertext {
  const c = ev.clean(control, 1);
  const n = ifTrue.blocks.length;
  const keepIfTrue = (bit: number, v: number) => (bit ? v : 0);
  const keepIfFalse = (bit: number, v: number) => (bit ? 0 : v);
  // Term i < n keeps ifTrue's block i, term n + i ifFalse's; the bootstrapped ones run as one batch.
  const blocks = [...ifTrue.blocks, ...ifFalse.blocks];
  const live = blocks.flatMap((b, i) => (b.degree > 0 ? [i] : []));
  const mapped = ev.map2Many(
    live.map((i) => [c, blocks[i]!] as const),
    live.map((i) => (i < n ? keepIfTrue : keepIfFalse)),
  );
  const terms = blocks.map(() => trivialBlock(0));
  live.forEach((i, k) => {
    terms[i] = mapped[k]!;
  });
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
