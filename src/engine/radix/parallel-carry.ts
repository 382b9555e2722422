import type { Block } from '../block.js';
import { MESSAGE_MAX, PARAMS } from '../params.js';
import { MAX_OUTPUT_NOISE } from './arithmetic.js';
import type { BlockEvaluator, BlockJob } from './block-evaluator.js';
import { addBlocks, addPlaintext } from './block-ops.js';
import { sklanskyLevels } from './schedule.js';

/**
 * Log-depth carry propagation. A block sum s (a_i + b_i, ≤ 7) has the carry state of one binary digit
 * that is the sum of two bits: st = 2 generates a carry (s ≥ 4), st = 1 propagates one (s = 3), st = 0
 * kills it. Weighted sums of such states behave like binary additions: the carry out of positions 0..k
 * with carry-in c is [Σ st_t·2^t + c ≥ 2^(k+1)]. A bootstrap's output is fresh (noise level 1) whatever
 * value it encodes, so states come out of their LUT already scaled by their weight, and a sum of g of
 * them keeps noise level g.
 */

const MSG = PARAMS.messageModulus;
const state = (s: number) => (s >= MSG ? 2 : s === MSG - 1 ? 1 : 0);
const message = (x: number) => x % MSG;

/** Group carry states in the prefix: a second encoding, so that a finished prefix is the carry bit itself. */
const NONE = 0;
const GENERATE = 1;
const PROPAGATE = 2;
/** The state of entries (hi above lo) as one: hi unless hi propagates. */
const combine = (hi: number, lo: number) => (hi === PROPAGATE ? lo : hi);

/** Block sums the parallel path takes: s + carry stays below 9 and within max_noise_level. */
export function parallelCarryApplies(sums: readonly Block[]): boolean {
  return sums.every((s) => s.degree <= 2 * MESSAGE_MAX + 1 && s.noiseLevel < PARAMS.maxNoiseLevel);
}

/**
 * Carries of Σ s_i·4^i propagated, the carry out of the last block dropped (wrap-around), in 4 + ⌈log2(n/2 − 1)⌉
 * rounds. Blocks pair into groups (2j, 2j+1):
 * 1. per block, one batch: st(s_2j), and from one rotation of s_2j+1 (below 8) both 2·st(s_2j+1) and
 *    4·(s_2j+1 mod 4) (the high block's message, scaled so it packs with a carry later);
 * 2. each group's state from T = st_2j + 2·st_2j+1 (generate T ≥ 4, propagate T = 3; group 0 has
 *    carry-in 0, so it never propagates);
 * 3. a Sklansky prefix over the group states (bivariate combines): entry j becomes group j's carry out;
 * 4. with C the group's carry-in, block 2j is (s_2j + C) mod 4 and block 2j+1 comes from
 *    4·m + st_2j + C, whose low part ≥ 2 is exactly its carry-in.
 * About 3.4n bootstraps against the ripple's n: it pays only with enough threads (see `parallelIsFaster`).
 */
export function propagateCarriesParallel(ev: BlockEvaluator, sums: readonly Block[]): Block[] {
  const n = sums.length;
  const groups = Math.ceil(n / 2);
  const hasHigh = (j: number) => 2 * j + 1 < n;
  const passesCarry = (j: number) => j < groups - 1;

  // Round 1: per-block states and scaled high messages (the high block's two from one rotation).
  const jobs: BlockJob[] = [];
  for (let j = 0; j < groups && hasHigh(j); j++) {
    jobs.push({ block: sums[2 * j]!, f: state });
    const message4 = (x: number) => MSG * message(x);
    jobs.push(
      passesCarry(j)
        ? { block: sums[2 * j + 1]!, f: message4, g: (x) => 2 * state(x) }
        : { block: sums[2 * j + 1]!, f: message4 },
    );
  }
  const first = ev.mapJobs(jobs);
  const lowState = (j: number) => first[2 * j]![0]!;
  const highMessage4 = (j: number) => first[2 * j + 1]![0]!;
  const highState2 = (j: number) => first[2 * j + 1]![1]!;

  // Round 2: group states.
  const carrying = Array.from({ length: groups - 1 }, (_, j) => j);
  let prefix = ev.mapMany(
    carrying.map((j) => addBlocks(lowState(j), highState2(j))),
    carrying.map((j) => (t: number) => (t >= MSG ? GENERATE : t === MSG - 1 && j > 0 ? PROPAGATE : NONE)),
  );

  // Rounds 3…: the prefix.
  for (const level of sklanskyLevels(prefix.length)) {
    const combined = ev.map2Many(
      level.map(([i, source]) => [prefix[i]!, prefix[source]!] as const),
      level.map(() => combine),
    );
    prefix = [...prefix];
    level.forEach(([i], k) => {
      prefix[i] = combined[k]!;
    });
  }

  // Last round: apply each group's carry-in.
  const finals: { input: Block; f: (x: number) => number }[] = [];
  const out: (Block | number)[] = [];
  const bootstrapped = (input: Block, f: (x: number) => number) => out.push(finals.push({ input, f }) - 1);
  for (let j = 0; j < groups; j++) {
    const carryIn = j > 0 ? prefix[j - 1] : undefined;
    const withCarry = (b: Block) => (carryIn ? addBlocks(b, carryIn) : b);
    const low = sums[2 * j]!;
    if (!carryIn && low.degree <= MESSAGE_MAX && low.noiseLevel <= MAX_OUTPUT_NOISE) out.push(low);
    else bootstrapped(withCarry(low), message);
    if (hasHigh(j)) {
      bootstrapped(withCarry(addBlocks(highMessage4(j), lowState(j))), highWithCarry);
    }
  }
  const applied = ev.mapMany(
    finals.map((x) => x.input),
    finals.map((x) => x.f),
  );
  return out.map((o) => (typeof o === 'number' ? applied[o]! : o));
}

/** From 4·m + st + C: the high block's message plus its carry-in [st + C ≥ 2]. */
const highWithCarry = (x: number) => ((x >> 2) + ((x & 3) >= 2 ? 1 : 0)) % MSG;

/** The LUTs above whose inputs reach noise level 5 (the error-rate test runs them there). */
export const CARRY_LUTS = { state, message, highWithCarry, combine } as const;

/** The round widths of `propagateCarriesParallel` on n blocks (block 0 counted as bootstrapped). */
export function parallelCarryWidths(n: number): number[] {
  const groups = Math.ceil(n / 2);
  const full = Math.floor(n / 2);
  const widths = [2 * full];
  if (groups > 1) widths.push(groups - 1);
  for (const level of sklanskyLevels(groups - 1)) widths.push(level.length);
  widths.push(n);
  return widths.filter((w) => w > 0);
}

/** A reduction entry: a block and the LUT that reads its carry state (0 kill, 1 propagate, 2 generate). */
interface Entry {
  block: Block;
  stateOf: (x: number) => number;
}

/** Entries per reduction group: weighted states 1·st + 2·st + 4·st ≤ 14 stay below 16, noise 3. */
const ARITY = 3;

/**
 * Carry out of Σ s_i·4^i + carryIn (block sums s_i ≤ 6, noise level ≤ 4), by a reduction tree: each
 * level bootstraps every entry's state scaled by its weight in a group of three (one batch) and sums
 * the group; the group's state is read from that sum at the next level (generate when ≥ 2^g, propagate
 * when = 2^g − 1). n + ⌈n/3⌉ + … + 1 bootstraps in 1 + ⌈log3 n⌉ rounds.
 */
export function carryOutTree(ev: BlockEvaluator, sums: readonly Block[], carryIn: 0 | 1): Block {
  let entries: Entry[] = sums.map((block, i) => ({
    block: i === 0 && carryIn ? addPlaintext(block, carryIn) : block,
    stateOf: state,
  }));
  while (entries.length > 1) {
    const groups: Entry[][] = [];
    for (let i = 0; i < entries.length; i += ARITY) groups.push(entries.slice(i, i + ARITY));
    const scaled = groups.flatMap((g) => (g.length > 1 ? g.map((e, k) => ({ e, weight: 1 << k })) : []));
    const states = ev.mapMany(
      scaled.map(({ e }) => e.block),
      scaled.map(
        ({ e, weight }) =>
          (x: number) =>
            weight * e.stateOf(x),
      ),
    );
    let next = 0;
    entries = groups.map((g) => {
      if (g.length === 1) return g[0]!;
      const sum = states.slice(next, next + g.length).reduce((s, x) => addBlocks(s, x));
      next += g.length;
      const top = 1 << g.length;
      return { block: sum, stateOf: (t: number) => (t >= top ? 2 : t === top - 1 ? 1 : 0) };
    });
  }
  const [last] = entries;
  return ev.map(last!.block, (x) => (last!.stateOf(x) === 2 ? 1 : 0));
}

/** The round widths of `carryOutTree` on n blocks. */
export function carryOutTreeWidths(n: number): number[] {
  const widths: number[] = [];
  for (let count = n; count > 1; count = Math.ceil(count / ARITY)) {
    widths.push(count % ARITY === 1 ? count - 1 : count);
  }
  widths.push(1);
  return widths;
}
