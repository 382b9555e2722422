import type { Block } from '../block.js';
import { MESSAGE_MAX, PARAMS } from '../params.js';
import { MAX_OUTPUT_NOISE, propagateSums } from './arithmetic.js';
import type { BlockEvaluator, BlockJob } from './block-evaluator.js';
import { addBlocks, trivialBlock } from './block-ops.js';

const MSG = PARAMS.messageModulus;
const SPACE = PARAMS.messageModulus * PARAMS.carryModulus;
const message = (x: number) => x % MSG;
const carry = (x: number) => Math.floor(x / MSG);

/**
 * Sums columns of block terms (column c has weight 4^c) into one radix value of `columns.length` carry-free
 * blocks: column by column in turn, or in waves of one batch each from WAVE_THREADS threads on (more
 * bootstraps, a few rounds instead of one per group).
 */
export function sumColumns(ev: BlockEvaluator, columns: Block[][]): Block[] {
  const waves = ev.algorithm === 'parallel' || (ev.algorithm === 'auto' && ev.threads >= WAVE_THREADS);
  return waves ? sumColumnsInWaves(ev, columns) : sumColumnsInTurn(ev, columns);
}

/**
 * Waves add bootstraps (every group's carry is its own output, the final propagation comes on top), so
 * they wait for the thread count from which the parallel carry pays too; not measured below it.
 */
const WAVE_THREADS = 4;

/** Trivial zero blocks (degree 0, e.g. a widened value's top) add nothing. */
const live = (columns: Block[][]) => columns.map((c) => c.filter((b) => b.degree > 0 || b.noiseLevel > 0));

/** Greedy groups of consecutive terms whose sum keeps degree < 16 and noise ≤ max_noise_level. */
function groupsOf(terms: readonly Block[]): Block[][] {
  const groups: Block[][] = [];
  let degree = SPACE;
  let noise = 0;
  for (const t of terms) {
    if (degree + t.degree >= SPACE || noise + t.noiseLevel > PARAMS.maxNoiseLevel) {
      groups.push([]);
      degree = 0;
      noise = 0;
    }
    groups.at(-1)!.push(t);
    degree += t.degree;
    noise += t.noiseLevel;
  }
  return groups;
}

/**
 * Wallace-style waves: each wave, every column of three or more terms sums its groups and splits each
 * sum into its message (stays) and carry (to the next column; dropped past the last), all columns'
 * bootstraps as one batch (two LUTs per rotation below 8). Once no column holds more than two terms, the
 * column sums (≤ 6) go through one carry propagation, the parallel prefix when that is faster.
 */
function sumColumnsInWaves(ev: BlockEvaluator, columns: Block[][]): Block[] {
  let pending = live(columns);
  const last = pending.length - 1;
  while (pending.some((terms) => terms.length > 2)) {
    const jobs: BlockJob[] = [];
    const destinations: number[] = [];
    const next: Block[][] = pending.map((terms) => (terms.length > 2 ? [] : [...terms]));
    pending.forEach((terms, c) => {
      if (terms.length <= 2) return;
      for (const group of groupsOf(terms)) {
        if (group.length === 1) next[c]!.push(group[0]!);
        else {
          jobs.push({
            block: group.reduce((s, x) => addBlocks(s, x)),
            f: message,
            ...(c < last ? { g: carry } : {}),
          });
          destinations.push(c);
        }
      }
    });
    ev.mapJobs(jobs).forEach(([msg, out], k) => {
      const c = destinations[k]!;
      next[c]!.push(msg!);
      if (out && out.degree > 0) next[c + 1]!.push(out);
    });
    pending = next;
  }
  return propagateSums(
    ev,
    pending.map((terms) => (terms.length === 0 ? trivialBlock(0) : terms.reduce((s, x) => addBlocks(s, x)))),
  );
}

/**
 * Column by column: terms are added in groups that keep degree < 16 and noise ≤ max_noise_level; each group is
 * split into its message (stays) and carry (moves to the next column), two LUTs per rotation when the
 * group sum is below 8. Carries out of the last column are dropped (wrap-around).
 */
function sumColumnsInTurn(ev: BlockEvaluator, columns: Block[][]): Block[] {
  const result: Block[] = [];
  const pending = live(columns);
  for (let c = 0; c < pending.length; c++) {
    let terms = pending[c]!;
    const last = c === pending.length - 1;
    for (;;) {
      if (terms.length === 0) {
        result.push(trivialBlock(0));
        break;
      }
      if (terms.length === 1 && terms[0]!.degree <= MESSAGE_MAX && terms[0]!.noiseLevel <= MAX_OUTPUT_NOISE) {
        result.push(terms[0]!);
        break;
      }
      let sum = terms[0]!;
      let used = 1;
      while (used < terms.length) {
        const next = terms[used]!;
        if (sum.degree + next.degree >= SPACE || sum.noiseLevel + next.noiseLevel > PARAMS.maxNoiseLevel)
          break;
        sum = addBlocks(sum, next);
        used++;
      }
      const rest = terms.slice(used);
      if (last) {
        terms = [ev.map(sum, message), ...rest];
      } else {
        const [msg, out] = ev.mapPair(sum, message, carry);
        terms = [msg, ...rest];
        if (out.degree > 0) pending[c + 1]!.push(out);
      }
    }
  }
  return result;
}
