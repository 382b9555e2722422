import type { Block } from '../block.js';
import { MESSAGE_MAX, PARAMS } from '../params.js';
import { MAX_OUTPUT_NOISE } from './arithmetic.js';
import type { BlockEvaluator } from './block-evaluator.js';
import { addBlocks, trivialBlock } from './block-ops.js';

const MSG = PARAMS.messageModulus;
const SPACE = PARAMS.messageModulus * PARAMS.carryModulus;
const message = (x: number) => x % MSG;
const carry = (x: number) => Math.floor(x / MSG);

/**
 * Sums columns of block terms (column c has weight 4^c) into one radix value of `columns.length` carry-free
 * blocks. Terms are added in groups that keep degree < 16 and noise ≤ max_noise_level; each group is
 * split into its message (stays) and carry (moves to the next column), two LUTs per rotation when the
 * group sum is below 8. Carries out of the last column are dropped (wrap-around).
 */
export function sumColumns(ev: BlockEvaluator, columns: Block[][]): Block[] {
  const result: Block[] = [];
  // Trivial zero blocks (degree 0, e.g. a widened value's top) add nothing.
  const pending = columns.map((c) => c.filter((b) => b.degree > 0 || b.noiseLevel > 0));
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
