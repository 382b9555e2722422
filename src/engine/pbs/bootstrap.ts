import type { EvaluationKeys, KeyswitchKey } from '../evaluation-keys.js';
import { selectKernels } from '../kernels.js';
import { limbView } from '../math/torus.js';
import { BIG_LWE_SIZE, PARAMS } from '../params.js';
import type { BlindRotator, BlindRotatorFactory } from './blind-rotate.js';
import type { Keyswitcher, KeyswitcherFactory } from './keyswitch-kernel.js';
import type { Lut } from './lut.js';

const N = PARAMS.polynomialSize;

/** One of an op's independent bootstraps: `pair` runs `lut` as a two-LUT rotation (`bootstrapPair`). */
export interface BootstrapJob {
  input: BigUint64Array;
  lut: Lut;
  pair?: boolean;
}

/**
 * KS_PBS programmable bootstrap, tfhe-rs order for these parameters: keyswitch big → small, centered
 * modulus switch to 2N, blind rotation of the LUT accumulator, sample extraction back under the big key.
 */
export class Bootstrapper {
  private readonly rotator: BlindRotator;
  private readonly switchers = new WeakMap<KeyswitchKey, Keyswitcher>();
  private readonly switcher: Keyswitcher;
  private readonly mask = new Uint32Array(PARAMS.smallDimension);
  private readonly accumulator = new BigUint64Array(2 * N);
  private readonly accumulatorLimbs = limbView(this.accumulator);
  /** Bootstraps done by this instance (benchmarks and op statistics). */
  count = 0;
  /** Threads `bootstrapMany` spreads a batch over: one here, a worker pool's size there. */
  get threads(): number {
    return 1;
  }

  constructor(
    private readonly keys: EvaluationKeys,
    // Default: the kernels FHE_KERNEL selects (native when built, else wasm; see kernels.ts).
    rotatorFactory: BlindRotatorFactory = selectKernels().blindRotator,
    private readonly keyswitcherFactory: KeyswitcherFactory = selectKernels().keyswitcher,
  ) {
    this.rotator = rotatorFactory(keys.bskStandard, {
      n: PARAMS.smallDimension,
      N,
      baseLog: PARAMS.pbsBaseLog,
      level: PARAMS.pbsLevel,
    });
    this.switcher = this.switcherFor(keys.keyswitchKey);
  }

  /** PBS of a big-key LWE (2049 u64): returns a fresh big-key LWE of lut(value)·Δ. */
  bootstrap(input: BigUint64Array, lut: Lut): BigUint64Array {
    return this.bootstrapWith(input, lut, this.keys.keyswitchKey);
  }

  /** Same, starting from an LWE under another key that `ksk` switches to the small key (input casting). */
  bootstrapWith(input: BigUint64Array, lut: Lut, ksk: KeyswitchKey): BigUint64Array {
    return this.bootstrapEachWith(input, [lut], ksk)[0]!;
  }

  /** One keyswitch, then one blind rotation per LUT (e.g. both digits of a packed input pair). */
  bootstrapEachWith(input: BigUint64Array, luts: readonly Lut[], ksk: KeyswitchKey): BigUint64Array[] {
    const body = this.switcherFor(ksk).run(limbView(input), this.mask);
    return luts.map((lut) => {
      this.loadAccumulator(lut.bodyHigh, body);
      const rotated = this.rotator.rotate(this.accumulator, this.mask);
      this.count++;
      return sampleExtract(rotated, 0);
    });
  }

  /**
   * Independent bootstraps of one op (input i through luts[i]): in turn here; a worker pool's
   * bootstrapper spreads them over its threads.
   */
  bootstrapMany(inputs: readonly BigUint64Array[], luts: readonly Lut[]): BigUint64Array[] {
    return this.bootstrapJobs(inputs.map((input, i) => ({ input, lut: luts[i]! }))).map(([out]) => out!);
  }

  /** The same for jobs some of which are pairs: one output per job, two for a pair. */
  bootstrapJobs(jobs: readonly BootstrapJob[]): BigUint64Array[][] {
    return jobs.map((job) =>
      job.pair ? this.bootstrapPair(job.input, job.lut) : [this.bootstrap(job.input, job.lut)],
    );
  }

  /**
   * Two LUTs in one blind rotation (tfhe-rs "many-LUT"): for inputs below 8, `pairLut` holds f in boxes
   * 0..7 and g in boxes 8..15, so coefficient 0 of the rotated accumulator is f(x) and coefficient N/2 is g(x).
   */
  bootstrapPair(input: BigUint64Array, pairLut: Lut): [BigUint64Array, BigUint64Array] {
    const body = this.switcher.run(limbView(input), this.mask);
    this.loadAccumulator(pairLut.bodyHigh, body);
    const rotated = this.rotator.rotate(this.accumulator, this.mask);
    this.count++;
    return [sampleExtract(rotated, 0), sampleExtract(rotated, N / 2)];
  }

  /**
   * Blind rotation of an already switched LWE (mask in [0, 2N), body) — e.g. a seeded pseudo-random
   * one for oblivious randomness — with a raw accumulator body (high words, low words 0).
   */
  rotateSwitched(mask: Uint32Array, body: number, bodyHigh: Uint32Array): BigUint64Array {
    this.loadAccumulator(bodyHigh, body);
    const rotated = this.rotator.rotate(this.accumulator, mask);
    this.count++;
    return sampleExtract(rotated, 0);
  }

  /** One keyswitcher per key (the casting key's is made on first use). */
  private switcherFor(ksk: KeyswitchKey): Keyswitcher {
    let switcher = this.switchers.get(ksk);
    if (!switcher) {
      switcher = this.keyswitcherFactory(ksk);
      this.switchers.set(ksk, switcher);
    }
    return switcher;
  }

  /** ACC = (0, X^{-body}·LUT). */
  private loadAccumulator(table: Uint32Array, body: number): void {
    const L = this.accumulatorLimbs;
    L.fill(0);
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

/**
 * Coefficient `at` of the rotated GLWE as an LWE under the big key:
 * a_j = A_{at−j} for j ≤ at, a_j = −A_{N+at−j} for j > at, b = B_at.
 */
function sampleExtract(glwe: BigUint64Array, at: number): BigUint64Array {
  const out = new BigUint64Array(BIG_LWE_SIZE);
  const src = limbView(glwe);
  const dst = limbView(out);
  for (let j = 0; j <= at; j++) {
    dst[2 * j] = src[2 * (at - j)]!;
    dst[2 * j + 1] = src[2 * (at - j) + 1]!;
  }
  for (let j = at + 1; j < N; j++) {
    const lo = src[2 * (N + at - j)]!;
    const hi = src[2 * (N + at - j) + 1]!;
    // two's complement negation on (lo, hi)
    dst[2 * j] = (2 ** 32 - lo) >>> 0;
    dst[2 * j + 1] = lo === 0 ? (2 ** 32 - hi) >>> 0 : ~hi >>> 0;
  }
  dst[2 * N] = src[2 * (N + at)]!;
  dst[2 * N + 1] = src[2 * (N + at) + 1]!;
  return out;
}
