import type { Block, RadixCiphertext } from '../block.js';
import type { BlockEvaluator } from './block-evaluator.js';
import { trivialBlock } from './block-ops.js';
import { select } from './select.js';

export type ShiftKind = 'shl' | 'shr' | 'rotl' | 'rotr';

/** Input bit that lands on output bit `outBit`, or undefined when a plain shift brings in a zero. */
function sourceBit(kind: ShiftKind, outBit: number, amount: number, width: number): number | undefined {
  const from = kind === 'shl' || kind === 'rotl' ? outBit - amount : outBit + amount;
  if (kind === 'rotl' || kind === 'rotr') return ((from % width) + width) % width;
  return from >= 0 && from < width ? from : undefined;
}

const bitOf = (x: number, bit: number) => (x >> (bit & 1)) & 1;

/**
 * Shift or rotate by a plaintext amount (taken mod the width, as the fhEVM does). Even amounts move
 * whole blocks (no bootstrap); odd ones build each block from two neighbours with one bivariate PBS.
 */
export function shiftScalar(
  ev: BlockEvaluator,
  kind: ShiftKind,
  a: RadixCiphertext,
  amount: bigint,
): RadixCiphertext {
  const width = 2 * a.blocks.length;
  const k = Number(amount % BigInt(width));
  const blocks = a.blocks.map((_, i): Block => {
    const lo = sourceBit(kind, 2 * i, k, width);
    const hi = sourceBit(kind, 2 * i + 1, k, width);
    if (lo === undefined && hi === undefined) return trivialBlock(0);
    if (lo !== undefined && hi !== undefined) {
      if ((lo & 1) === 0 && hi === lo + 1) return a.blocks[lo >> 1]!;
      return ev.map2(a.blocks[hi >> 1]!, a.blocks[lo >> 1]!, (h, l) => (bitOf(h, hi) << 1) | bitOf(l, lo));
    }
    if (lo !== undefined) return ev.map(a.blocks[lo >> 1]!, (x) => bitOf(x, lo));
    return ev.map(a.blocks[hi! >> 1]!, (x) => bitOf(x, hi!) << 1);
  });
  return { blocks };
}

/**
 * Shift or rotate by an encrypted amount (mod the width): a barrel shifter, one conditional stage per
 * amount bit — shift by 2^s under encrypted bit s of the amount.
 */
export function shiftEncrypted(
  ev: BlockEvaluator,
  kind: ShiftKind,
  a: RadixCiphertext,
  amount: RadixCiphertext,
): RadixCiphertext {
  const width = 2 * a.blocks.length;
  let current = a;
  for (let s = 0; 1 << s < width; s++) {
    const bit = ev.map(amount.blocks[s >> 1]!, (x) => (x >> (s & 1)) & 1);
    current = select(ev, bit, shiftScalar(ev, kind, current, BigInt(1 << s)), current);
  }
  return current;
}
