import type { Block, RadixCiphertext } from '../block.js';
import { PARAMS } from '../params.js';
import { add } from './arithmetic.js';
import type { BlockEvaluator } from './block-evaluator.js';
import { resize } from './cast.js';
import { sumColumns } from './columns.js';
import { scalarBlocks } from './scalar.js';
import { shiftScalar } from './shift.js';

const MSG = PARAMS.messageModulus;

/** a·b mod 2^bits, schoolbook: each block pair gives low and high product digits (bivariate PBS each). */
export function mul(ev: BlockEvaluator, a: RadixCiphertext, b: RadixCiphertext): RadixCiphertext {
  const n = a.blocks.length;
  const x = a.blocks.map((blk) => ev.clean(blk, 1));
  const y = b.blocks.map((blk) => ev.clean(blk, 1));
  const columns: Block[][] = Array.from({ length: n }, () => []);
  // All digit products in one batch: (pair, LUT, destination column).
  const pairs: (readonly [Block, Block])[] = [];
  const fs: ((u: number, v: number) => number)[] = [];
  const destinations: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; i + j < n; j++) {
      pairs.push([x[i]!, y[j]!]);
      fs.push((u, v) => (u * v) % MSG);
      destinations.push(i + j);
      if (i + j + 1 < n) {
        pairs.push([x[i]!, y[j]!]);
        fs.push((u, v) => Math.floor((u * v) / MSG));
        destinations.push(i + j + 1);
      }
    }
  }
  ev.map2Many(pairs, fs).forEach((term, k) => {
    columns[destinations[k]!]!.push(term);
  });
  return { blocks: sumColumns(ev, columns) };
}

/**
 * a·m truncated to `outBlocks` blocks (a wider result serves division by multiplication). The rows
 * m_j·a for digits m_j ∈ {1, 2, 3} are the multiples a, 2a (one-bit shift) and 3a (2a + a), computed
 * once as carry-free values; the shifted rows are then summed column by column (~0.4 PBS per block).
 */
export function mulScalar(
  ev: BlockEvaluator,
  a: RadixCiphertext,
  scalar: bigint,
  outBlocks = a.blocks.length,
): RadixCiphertext {
  const digits = scalarBlocks(scalar, outBlocks);
  // 3a < 4^(n+1): one extra block holds every multiple.
  const one = resize(a, Math.min(outBlocks, a.blocks.length + 1));
  let two: RadixCiphertext | undefined;
  let three: RadixCiphertext | undefined;
  const multiple = (m: number): RadixCiphertext => {
    if (m === 1) return one;
    two ??= shiftScalar(ev, 'shl', one, 1n);
    if (m === 2) return two;
    three ??= add(ev, two, one);
    return three;
  };
  const columns: Block[][] = Array.from({ length: outBlocks }, () => []);
  digits.forEach((m, j) => {
    if (m === 0) return;
    multiple(m).blocks.forEach((block, i) => {
      if (i + j < outBlocks) columns[i + j]!.push(block);
    });
  });
  return { blocks: sumColumns(ev, columns) };
}
