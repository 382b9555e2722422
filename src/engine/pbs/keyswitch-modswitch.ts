import type { KeyswitchKey } from '../evaluation-keys.js';
import { PARAMS } from '../params.js';

const n = PARAMS.smallDimension;
/** The fused loop below is written for 4 levels (the parameter set's ks_level). */
const LEVELS = PARAMS.ksLevel;
if (LEVELS !== 4) throw new Error('keyswitch loop assumes ks_level = 4');
const BASE_LOG = PARAMS.ksBaseLog;
const DIGIT_MASK = (1 << BASE_LOG) - 1;
const HALF_BASE = 1 << (BASE_LOG - 1);
/** Bits kept of each input mask coefficient (16): taken from the high word, plus a rounding bit. */
const KEPT_SHIFT = 32 - BASE_LOG * LEVELS;
const KEPT_MASK = 2 ** (BASE_LOG * LEVELS) - 1;
/** log2(2N): the blind rotation works modulo 2N = 4096. */
const LOG_2N = Math.log2(2 * PARAMS.polynomialSize);
const TWO_N = 2 * PARAMS.polynomialSize;
/** One switched unit on the 32-bit torus: 2^(32 − log2(2N)). */
const MS_UNIT = 2 ** (32 - LOG_2N);

/**
 * Keyswitch to the small key followed by the centered modulus switch to 2N, fused, on the 32-bit torus
 * (`Int32Array` accumulators that wrap mod 2^32 — exactly torus arithmetic): the keyswitch output is
 * only ever used rounded to 12 bits.
 */
export class KeyswitchModSwitch {
  private readonly acc = new Int32Array(n + 1);
  private readonly digits = new Int32Array(LEVELS);

  /**
   * `input` is the limb view of an LWE with `ksk.inputDimension` mask coefficients then the body.
   * Writes the switched mask (values in [0, 2N)) into `mask` and returns the switched body.
   */
  run(input: Uint32Array, ksk: KeyswitchKey, mask: Uint32Array): number {
    const acc = this.acc;
    const rows = ksk.rows;
    const stride = n + 1;
    const dim = ksk.inputDimension;
    acc.fill(0);
    acc[n] = (input[2 * dim + 1]! + (input[2 * dim]! >>> 31)) | 0;
    const digits = this.digits;
    for (let i = 0; i < dim; i++) {
      const hi = input[2 * i + 1]!;
      let kept = ((hi >>> KEPT_SHIFT) + ((hi >>> (KEPT_SHIFT - 1)) & 1)) & KEPT_MASK;
      if (kept === 0) continue;
      // Balanced digits from the least significant level (row j = LEVELS-1) up; the top carry wraps away.
      for (let j = LEVELS - 1; j >= 0; j--) {
        let d = kept & DIGIT_MASK;
        kept >>>= BASE_LOG;
        if (d >= HALF_BASE) {
          d -= 1 << BASE_LOG;
          kept += 1;
        }
        digits[j] = d;
      }
      // The ks_level rows of coefficient i are contiguous: one pass over the accumulator for all of them.
      const r0 = i * LEVELS * stride;
      const r1 = r0 + stride;
      const r2 = r1 + stride;
      const r3 = r2 + stride;
      const d0 = digits[0]!;
      const d1 = digits[1]!;
      const d2 = digits[2]!;
      const d3 = digits[3]!;
      for (let k = 0; k <= n; k++) {
        acc[k] =
          acc[k]! -
          Math.imul(d0, rows[r0 + k]!) -
          Math.imul(d1, rows[r1 + k]!) -
          Math.imul(d2, rows[r2 + k]!) -
          Math.imul(d3, rows[r3 + k]!);
      }
    }
    // Centered modulus switch (tfhe-rs CenteredMeanNoiseReduction): add half the signed mask rounding
    // errors (E[s_i] = 1/2 cancels their mean) and subtract half a switched unit, then round the body.
    let correction = -0.5;
    for (let k = 0; k < n; k++) {
      const y = (acc[k]! >>> 0) / MS_UNIT;
      const rounded = Math.round(y);
      correction += (rounded - y) / 2;
      mask[k] = rounded & (TWO_N - 1);
    }
    const body = Math.round((acc[n]! >>> 0) / MS_UNIT + correction);
    return body & (TWO_N - 1);
  }
}
