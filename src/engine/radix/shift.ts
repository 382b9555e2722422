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
  // Per output block: a moved block, a zero, or a bootstrap; the bootstraps run as two batches.
  const pairs: { i: number; hi: number; lo: number }[] = [];
  const singles: { i: number; from: number; f: (x: number) => number }[] = [];
  const blocks = a.blocks.map((_, i): Block => {
    const lo = sourceBit(kind, 2 * i, k, width);
    const hi = sourceBit(kind, 2 * i + 1, k, width);
    if (lo === undefined && hi === undefined) return trivialBlock(0);
    if (lo !== undefined && hi !== undefined) {
      if ((lo & 1) === 0 && hi === lo + 1) return a.blocks[lo >> 1]!;
      pairs.push({ i, hi, lo });
    } else if (lo !== undefined) {
      singles.push({ i, from: lo >> 1, f: (x) => bitOf(x, lo) });
    } else {
      singles.push({ i, from: hi! >> 1, f: (x) => bitOf(x, hi!) << 1 });
    }
    return a.blocks[i]!;
  });
  ev.map2Many(
    pairs.map(({ hi, lo }) => [a.blocks[hi >> 1]!, a.blocks[lo >> 1]!] as const),
    pairs.map(
      ({ hi, lo }) =>
        (h: number, l: number) =>
          (bitOf(h, hi) << 1) | bitOf(l, lo),
    ),
  ).forEach((block, j) => {
    blocks[pairs[j]!.i] = block;
  });
  ev.mapMany(
    singles.map(({ from }) => a.blocks[from]!),
    singles.map(({ f }) => f),
  ).forEach((block, j) => {
    blocks[singles[j]!.i] = block;
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
