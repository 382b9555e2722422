import { FhekitError } from '../../errors.js';
import type { RadixCiphertext } from '../block.js';
import { sub, trivialRadix } from './arithmetic.js';
import { bitwiseScalar } from './bitwise.js';
import type { BlockEvaluator } from './block-evaluator.js';
import { resize } from './cast.js';
import { mulScalar } from './multiply.js';
import { shiftScalar } from './shift.js';

/**
 * Unsigned division by a plaintext d ≠ 0 (the only form the fhEVM allows). Powers of two are a shift
 * and a mask; other divisors use q = ⌊a·M / 2^(w+l)⌋ with l = ⌈log2 d⌉ and M = ⌈2^(w+l) / d⌉, which is
 * exact for every w-bit a (Granlund–Montgomery), and r = a − q·d.
 */
export function divRemScalar(
  ev: BlockEvaluator,
  a: RadixCiphertext,
  divisor: bigint,
  want: 'quotient' | 'remainder',
): RadixCiphertext {
  if (divisor === 0n) {
    throw new FhekitError('FHE_DIVISION_BY_ZERO', 'Division or remainder by a plaintext zero.', {
      hint: 'The fhEVM host contract rejects a zero divisor; check how the computation was built.',
    });
  }
  const n = a.blocks.length;
  const width = 2 * n;
  if (divisor >= 1n << BigInt(width)) return want === 'quotient' ? trivialRadix(0n, n) : a;
  const log = divisor.toString(2).length - 1;
  if (divisor === 1n << BigInt(log)) {
    return want === 'quotient'
      ? shiftScalar(ev, 'shr', a, BigInt(log))
      : bitwiseScalar(ev, 'and', a, divisor - 1n, 3);
  }
  const l = log + 1;
  const shift = BigInt(width + l);
  const multiplier = ((1n << shift) + divisor - 1n) / divisor;
  // a·M < 2^(2w+1) + 2^w, so 2n + 1 blocks hold the whole product.
  const productBlocks = 2 * n + 1;
  const product = mulScalar(ev, a, multiplier, productBlocks);
  const quotient = resize(shiftScalar(ev, 'shr', product, shift), n);
  if (want === 'quotient') return quotient;
  return sub(ev, a, mulScalar(ev, quotient, divisor));
}
