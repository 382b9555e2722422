import type { RadixCiphertext } from '../block.js';
import { trivialBlock } from './block-ops.js';

/** Unsigned resize: narrowing keeps the low blocks, widening appends trivial zero blocks (tfhe-rs cast_into). */
export function resize(a: RadixCiphertext, blockCount: number): RadixCiphertext {
  const blocks = a.blocks.slice(0, blockCount);
  while (blocks.length < blockCount) blocks.push(trivialBlock(0));
  return { blocks };
}
