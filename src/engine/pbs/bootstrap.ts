import type { EvaluationKeys, KeyswitchKey } from '../evaluation-keys.js';
import { limbView } from '../math/torus.js';
import { BIG_LWE_SIZE, PARAMS } from '../params.js';
import { type BlindRotator, type BlindRotatorFactory, createTypeScriptBlindRotator } from './blind-rotate.js';
import { KeyswitchModSwitch } from './keyswitch.js';
import type { Lut } from './lut.js';

const N = PARAMS.polynomialSize;

/**
 * KS_PBS programmable bootstrap, tfhe-rs order for these parameters: keyswitch big → small, centered
 * modulus switch to 2N, blind rotation of the LUT accumulator, sample extraction back under the big key.
 */
export class Bootstrapper {
  private readonly rotator: BlindRotator;
  private readonly switcher = new KeyswitchModSwitch();
  private readonly mask = new Uint32Array(PARAMS.smallDimension);
  private readonly accumulator = new BigUint64Array(2 * N);
  private readonly accumulatorLimbs = limbView(this.accumulator);
  /** Bootstraps done by this instance (benchmarks and op statistics). */
  count = 0;

  constructor(
    private readonly keys: EvaluationKeys,
    rotatorFactory: BlindRotatorFactory = createTypeScriptBlindRotator,
  ) {
    this.rotator = rotatorFactory(keys.bskStandard, {
      n: PARAMS.smallDimension,
      N,
      baseLog: PARAMS.pbsBaseLog,
      level: PARAMS.pbsLevel,
    });
  }

  /** PBS of a big-key LWE (2049 u64): returns a fresh big-key LWE of lut(value)·Δ. */
  bootstrap(input: BigUint64Array, lut: Lut): BigUint64Array {
    return this.bootstrapWith(input, lut, this.keys.keyswitchKey);
  }

  /** Same, starting from an LWE under another key that `ksk` switches to the small key (input casting). */
  bootstrapWith(input: BigUint64Array, lut: Lut, ksk: KeyswitchKey): BigUint64Array {
    const body = this.switcher.run(limbView(input), ksk, this.mask);
    this.loadAccumulator(lut, body);
    const rotated = this.rotator.rotate(this.accumulator, this.mask);
    this.count++;
    return sampleExtract(rotated);
  }

  /** ACC = (0, X^{-body}·LUT). */
  private loadAccumulator(lut: Lut, body: number): void {
    const L = this.accumulatorLimbs;
    L.fill(0);
    const table = lut.bodyHigh;
    for (let k = 0; k < N; k++) {
      let idx = k + body;
      let negate = false;
      if (idx >= N) {
        idx -= N;
        negate = true;
        if (idx >= N) {
          idx -= N;
          negate = false;
        }
      }
      const high = table[idx]!;
      L[2 * (N + k) + 1] = negate ? (2 ** 32 - high) >>> 0 : high;
    }
  }
}

/** Constant coefficient of the rotated GLWE as an LWE under the big key: a_0 = A_0, a_j = −A_{N−j}, b = B_0. */
function sampleExtract(glwe: BigUint64Array): BigUint64Array {
  const out = new BigUint64Array(BIG_LWE_SIZE);
  const src = limbView(glwe);
  const dst = limbView(out);
  dst[0] = src[0]!;
  dst[1] = src[1]!;
  for (let j = 1; j < N; j++) {
    const lo = src[2 * (N - j)]!;
    const hi = src[2 * (N - j) + 1]!;
    // two's complement negation on (lo, hi)
    dst[2 * j] = (2 ** 32 - lo) >>> 0;
    dst[2 * j + 1] = lo === 0 ? (2 ** 32 - hi) >>> 0 : ~hi >>> 0;
  }
  dst[2 * N] = src[2 * N]!;
  dst[2 * N + 1] = src[2 * N + 1]!;
  return out;
}
