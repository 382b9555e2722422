import type { Block, RadixCiphertext } from '../block.js';
import { PARAMS } from '../params.js';
import type { BlockEvaluator } from './block-evaluator.js';
import { sumColumns } from './columns.js';
import { scalarBlocks } from './scalar.js';

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
 * a·m truncated to `outBlocks` blocks (a wider result serves division by multiplication). Each term
 * a_i·m_j is one blind rotation giving both digits (a_i < 8), or a_i itself when m_j = 1.
 */
export function mulScalar(
  ev: BlockEvaluator,
  a: RadixCiphertext,
  scalar: bigint,
  outBlocks = a.blocks.length,
): RadixCiphertext {
  const digits = scalarBlocks(scalar, outBlocks);
  const columns: Block[][] = Array.from({ length: outBlocks }, () => []);
  // All two-digit terms in one batch: (block, digit, column).
  const terms: { block: Block; m: number; column: number }[] = [];
  a.blocks.forEach((block, i) => {
    for (let j = 0; i + j < outBlocks; j++) {
      const m = digits[j]!;
      if (m === 0) continue;
      if (m === 1) {
        columns[i + j]!.push(block);
        continue;
      }
      terms.push({ block, m, column: i + j });
    }
  });
  ev.mapPairMany(
    terms.map((t) => t.block),
    terms.map(
      ({ m }) =>
        (u: number) =>
          (u * m) % MSG,
    ),
    terms.map(
      ({ m }) =>
        (u: number) =>
          Math.floor((u * m) / MSG),
    ),
  ).forEach(([low, high], k) => {
    const { column } = terms[k]!;
    columns[column]!.push(low);
    if (column + 1 < outBlocks && high.degree > 0) columns[column + 1]!.push(high);
  });
  return { blocks: sumColumns(ev, columns) };
}
