import type { Block, RadixCiphertext } from '../block.js';
import { MESSAGE_MAX } from '../params.js';
import type { BlockEvaluator } from './block-evaluator.js';
import { addBlocks, addComplement, addPlaintext, trivialBlock } from './block-ops.js';
import { scalarBlocks } from './scalar.js';

/** The control bootstrapped to 0 or 8: the top half of the block space, above any t + 3 − f ≤ 6. */
const CONTROL_SCALE = 8;
const SPREAD = MESSAGE_MAX;

/**
 * control ? ifTrue : ifFalse. Blocks that are zero on one side (degree 0, e.g. `select(c, x, 0)`) cost
 * one bivariate bootstrap, pairs of live blocks one each after a single bootstrap of the control (see
 * `selectByDifference`); with at most one live pair, keeping each side under (¬)c is as cheap.
 */
export function select(
  ev: BlockEvaluator,
  control: Block,
  ifTrue: RadixCiphertext,
  ifFalse: RadixCiphertext,
): RadixCiphertext {
  const livePairs = ifTrue.blocks.filter((t, i) => t.degree > 0 && ifFalse.blocks[i]!.degree > 0).length;
  return livePairs > 1
    ? selectByDifference(ev, control, ifTrue, ifFalse)
    : selectByKeeping(ev, control, ifTrue, ifFalse);
}

/**
 * With the control as c·8, c·8 + t_i + (3 − f_i) lies in [0, 6] or [8, 14], so one LUT yields
 * c·(t_i − f_i) + 3, and f_i + that − 3 is the selected block. ifFalse's blocks pass into the result
 * linearly, so noisy ones are refreshed first (the result keeps noise level ≤ 2).
 */
function selectByDifference(
  ev: BlockEvaluator,
  control: Block,
  ifTrue: RadixCiphertext,
  ifFalse: RadixCiphertext,
): RadixCiphertext {
  const noisy = ifFalse.blocks.flatMap((f, i) => (f.noiseLevel > 1 ? [i] : []));
  const refreshed = ev.mapMany(
    noisy.map((i) => ifFalse.blocks[i]!),
    noisy.map(() => (x: number) => x),
  );
  const falseBlocks = [...ifFalse.blocks];
  noisy.forEach((i, k) => {
    falseBlocks[i] = refreshed[k]!;
  });
  const live = ifTrue.blocks.flatMap((t, i) => (t.degree > 0 || falseBlocks[i]!.degree > 0 ? [i] : []));
  const blocks = ifTrue.blocks.map(() => trivialBlock(0));
  const scaled = ev.map(control, (bit) => (bit ? CONTROL_SCALE : 0));
  const differences = ev.mapMany(
    live.map((i) => addBlocks(scaled, addComplement(ifTrue.blocks[i]!, falseBlocks[i]!, SPREAD))),
    live.map(() => (v: number) => (v >= CONTROL_SCALE ? v - CONTROL_SCALE : SPREAD)),
  );
  live.forEach((i, k) => {
    const f = falseBlocks[i]!;
    const sum = addPlaintext(addBlocks(f, differences[k]!), -SPREAD);
    // The value is t_i or f_i: the larger degree bounds it.
    blocks[i] = { ...sum, degree: Math.max(ifTrue.blocks[i]!.degree, f.degree) };
  });
  return { blocks };
}

/**
 * keep(c, t_i) + keep(¬c, f_i) with a bivariate bootstrap per non-zero block. Exactly one term is
 * non-zero, so the sum's degree is the larger of the two (noise level ≤ 2).
 */
function selectByKeeping(
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
