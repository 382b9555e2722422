import type { Block, RadixCiphertext } from '../block.js';
import { MESSAGE_MAX, PARAMS } from '../params.js';
import type { BlockEvaluator } from './block-evaluator.js';
import { addBlocks, addComplement, addPlaintext, complement, scaleBlock, trivialBlock } from './block-ops.js';
import { carryOutTree, carryOutTreeWidths } from './parallel-carry.js';
import { scalarBlocks } from './scalar.js';
import { parallelIsFaster } from './schedule.js';

const MSG = PARAMS.messageModulus;
const isCarrySet = (x: number) => (x >= MSG ? 1 : 0);

/**
 * [a ≥ b] as the carry out of a + ¬b + 1, from the block sums s_i = a_i + 3 − b_i (see carryOut).
 * The high half's sums must keep noise ≤ 2: operand blocks there are refreshed (one batch) if needed.
 */
export function greaterOrEqual(ev: BlockEvaluator, a: RadixCiphertext, b: RadixCiphertext): Block {
  if (treeIsFaster(ev, a.blocks.length)) {
    return carryOutTree(
      ev,
      a.blocks.map((x, i) => addComplement(x, b.blocks[i]!, MESSAGE_MAX)),
      1,
    );
  }
  const high = Math.ceil(a.blocks.length / 2);
  const noisy = (i: number) =>
    i >= high && a.blocks[i]!.noiseLevel + b.blocks[i]!.noiseLevel > LOCKSTEP_NOISE;
  const stale = [...a.blocks, ...b.blocks].filter((x, k) => noisy(k % a.blocks.length) && x.noiseLevel > 1);
  const fresh = new Map(
    ev
      .mapMany(
        stale,
        stale.map(() => (x: number) => x),
      )
      .map((x, k) => [stale[k]!, x]),
  );
  const refreshed = (x: Block) => fresh.get(x) ?? x;
  return carryOut(
    ev,
    a.blocks.map((x, i) => addComplement(refreshed(x), refreshed(b.blocks[i]!), MESSAGE_MAX)),
  );
}

/** [a ≥ m] for a plaintext m, the same carry with ¬m known. */
export function greaterOrEqualScalar(ev: BlockEvaluator, a: RadixCiphertext, scalar: bigint): Block {
  if (scalar <= 0n) return trivialBlock(1);
  if (scalar >= 1n << BigInt(2 * a.blocks.length)) return trivialBlock(0);
  const digits = scalarBlocks(scalar, a.blocks.length);
  const sums = a.blocks.map((x, i) => addPlaintext(x, MESSAGE_MAX - digits[i]!));
  return treeIsFaster(ev, sums.length) ? carryOutTree(ev, sums, 1) : carryOut(ev, sums);
}

/** Whether the reduction tree (more bootstraps, ~log3 n rounds) beats the lockstep chain on ev's threads. */
function treeIsFaster(ev: BlockEvaluator, n: number): boolean {
  return parallelIsFaster(ev, lockstepWidths(n), carryOutTreeWidths(n));
}

/** The round widths of `carryOut` on n block sums (the lockstep form, from 4 blocks on). */
export function lockstepWidths(n: number): number[] {
  if (n < 4) return Array.from({ length: n }, () => 1);
  const half = Math.ceil(n / 2);
  return [...Array.from({ length: half }, (_, i) => (i < n - half ? 2 : 1)), 1];
}

/** The lockstep step's input 2·s + t must keep noise ≤ max_noise_level: noise(s) ≤ 2. */
const LOCKSTEP_NOISE = (PARAMS.maxNoiseLevel - 1) / 2;

/**
 * Carry out of Σ s_i·4^i + 1 for block sums s_i ≤ 6, one bootstrap per block from the least significant
 * up (s_i + c ≤ 7). From 4 blocks on, the high half runs in lockstep with the low half — each step one
 * batch of two bootstraps, so two pool threads halve the latency for one extra bootstrap. It carries
 * both possible incoming carries at once as t = c₀ + c₁ ∈ {0, 1, 2} (c₀ ≤ c₁), stepped by a PBS of
 * 2·s + t (< 16; (s, 2) and (s + 1, 0) collide but step alike); then the low carry picks c₀ or c₁.
 */
function carryOut(ev: BlockEvaluator, sums: Block[]): Block {
  const half = Math.ceil(sums.length / 2);
  const high = sums.slice(half);
  let carry = trivialBlock(1);
  const lockstep =
    sums.length >= 4 && high.every((s) => s.degree <= 2 * MESSAGE_MAX && s.noiseLevel <= LOCKSTEP_NOISE);
  if (!lockstep) {
    for (const s of sums) carry = ev.map(addBlocks(s, carry), isCarrySet);
    return carry;
  }
  let both = trivialBlock(1);
  for (let i = 0; i < half; i++) {
    const withHigh = i < high.length;
    const step = ev.mapMany(
      withHigh
        ? [addBlocks(sums[i]!, carry), addBlocks(scaleBlock(high[i]!, 2), both)]
        : [addBlocks(sums[i]!, carry)],
      withHigh ? [isCarrySet, stepBothCarries] : [isCarrySet],
    );
    carry = step[0]!;
    if (withHigh) both = step[1]!;
  }
  return ev.map(addBlocks(both, carry), (x) => (x >= 2 ? 1 : 0));
}

/** t' from x = 2·s + t: kill (s ≤ 2) → 0, propagate (s = 3) → t, generate (s ≥ 4) → 2. */
function stepBothCarries(x: number): number {
  const s = x >> 1;
  if (s === 3) return x & 1;
  return s < 3 ? 0 : 2;
}

export function booleanNot(bit: Block): Block {
  return complement(bit, 1);
}

/** [a = b]: per-block equality bits, then groups of up to max_noise_level bits checked for "all set". */
export function equal(ev: BlockEvaluator, a: RadixCiphertext, b: RadixCiphertext): Block {
  return allTrue(
    ev,
    ev.map2Many(
      a.blocks.map((x, i) => [x, b.blocks[i]!] as const),
      a.blocks.map(() => (u: number, v: number) => (u === v ? 1 : 0)),
    ),
  );
}

/**
 * [a = m]: blocks are compared two at a time (packed as 4·a_{2k+1} + a_{2k}, one bivariate PBS against
 * the known digit pair), so half as many bootstraps as the encrypted form before the AND tree.
 */
export function equalScalar(ev: BlockEvaluator, a: RadixCiphertext, scalar: bigint): Block {
  if (scalar < 0n || scalar >= 1n << BigInt(2 * a.blocks.length)) return trivialBlock(0);
  const digits = scalarBlocks(scalar, a.blocks.length);
  const pairs: (readonly [Block, Block])[] = [];
  const fs: ((hi: number, lo: number) => number)[] = [];
  for (let i = 0; i + 1 < a.blocks.length; i += 2) {
    const lo = digits[i]!;
    const hi = digits[i + 1]!;
    pairs.push([a.blocks[i + 1]!, a.blocks[i]!]);
    fs.push((u, v) => (u === hi && v === lo ? 1 : 0));
  }
  const bits = ev.map2Many(pairs, fs);
  if (a.blocks.length % 2 === 1) {
    const last = a.blocks.length - 1;
    bits.push(ev.map(a.blocks[last]!, (v) => (v === digits[last] ? 1 : 0)));
  }
  return allTrue(ev, bits);
}

/** AND of fresh 0/1 blocks: sum up to max_noise_level of them (noise stays in budget) and test the sum. */
function allTrue(ev: BlockEvaluator, bits: Block[]): Block {
  while (bits.length > 1) {
    const groups: Block[][] = [];
    for (let i = 0; i < bits.length; i += PARAMS.maxNoiseLevel)
      groups.push(bits.slice(i, i + PARAMS.maxNoiseLevel));
    // One batch per level; a lone last bit passes through.
    const lone = groups.at(-1)!.length === 1 ? groups.pop()![0]! : undefined;
    bits = ev.mapMany(
      groups.map((g) => g.reduce((s, x) => addBlocks(s, x))),
      groups.map((g) => (x: number) => (x === g.length ? 1 : 0)),
    );
    if (lone) bits.push(lone);
  }
  return bits[0]!;
}
