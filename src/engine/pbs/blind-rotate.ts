import { NegacyclicFft } from '../math/fft.js';
import { TWO_32, TWO_64 } from '../math/torus.js';

export interface BlindRotator {
  /** acc: GLWE (k=1) as 2*N u64 coefficients [mask poly, body poly], already X^{-b~}·LUT; mask: n values in [0, 2N). Returns the rotated GLWE (2*N u64). */
  rotate(acc: BigUint64Array, mask: Uint32Array): BigUint64Array;
}

export type BlindRotatorFactory = (
  bskStandard: BigUint64Array,
  params: { n: number; N: number; baseLog: number; level: number },
) => BlindRotator;

/**
 * Blind rotation in TypeScript: for each i with ã_i ≠ 0, ACC += ExtProd(BSK_i, X^{ã_i}·ACC − ACC).
 * Level-1 gadget decomposition (balanced digits of the top `baseLog` bits), f64 negacyclic FFT, and the
 * accumulator kept exact mod 2^64 as u32 limb pairs. The returned array is reused by the next call.
 */
export const createTypeScriptBlindRotator: BlindRotatorFactory = (bskStandard, params) => {
  if (params.level !== 1) throw new RangeError('the TypeScript blind rotator supports level 1 only');
  return new TypeScriptBlindRotator(bskStandard, params.n, params.N, params.baseLog);
};

class TypeScriptBlindRotator implements BlindRotator {
  private readonly fft: NegacyclicFft;
  /** Fourier BSK: for i, row r, column c: M real parts then M imaginary parts (bit-reversed order). */
  private readonly bskFourier: Float64Array;
  private readonly acc: BigUint64Array;
  private readonly accLimbs: Uint32Array;
  private readonly digits: [Float64Array, Float64Array];
  private readonly products: [Float64Array, Float64Array];
  private readonly digitShift: number;

  constructor(
    bskStandard: BigUint64Array,
    private readonly n: number,
    private readonly size: number,
    baseLog: number,
  ) {
    const N = size;
    this.fft = new NegacyclicFft(N);
    this.bskFourier = new Float64Array(n * 4 * N);
    const limbs = new Uint32Array(bskStandard.buffer, bskStandard.byteOffset, bskStandard.length * 2);
    const coefficients = new Float64Array(N);
    const half = N / 2;
    for (let poly = 0; poly < n * 4; poly++) {
      for (let j = 0; j < N; j++) {
        const at = 2 * (poly * N + j);
        coefficients[j] = (limbs[at + 1]! | 0) * TWO_32 + limbs[at]!;
      }
      const out = this.bskFourier.subarray(poly * N, (poly + 1) * N);
      this.fft.forward(coefficients, out.subarray(0, half), out.subarray(half));
    }
    this.acc = new BigUint64Array(2 * N);
    this.accLimbs = new Uint32Array(this.acc.buffer);
    this.digits = [new Float64Array(N), new Float64Array(N)];
    this.products = [new Float64Array(N), new Float64Array(N)];
    // Digit = round(x / 2^(64 - baseLog)) from the high word: bits [64 - baseLog, 64) and the rounding bit.
    this.digitShift = 32 - baseLog;
  }

  rotate(acc: BigUint64Array, mask: Uint32Array): BigUint64Array {
    const N = this.size;
    const half = N / 2;
    this.acc.set(acc);
    const [d0, d1] = this.digits;
    const [p0, p1] = this.products;
    const fft = this.fft;
    for (let i = 0; i < this.n; i++) {
      const a = mask[i]!;
      if (a === 0) continue;
      this.writeRotationDiffDigits(0, a, d0);
      this.writeRotationDiffDigits(N, a, d1);
      fft.twistAndForward(d0.subarray(0, half), d0.subarray(half));
      fft.twistAndForward(d1.subarray(0, half), d1.subarray(half));
      this.multiplyAccumulate(i, d0, d1, p0, p1);
      fft.inverseAndUntwist(p0.subarray(0, half), p0.subarray(half));
      fft.inverseAndUntwist(p1.subarray(0, half), p1.subarray(half));
      this.addToAccumulator(0, p0);
      this.addToAccumulator(N, p1);
    }
    return this.acc;
  }

  /**
   * Writes the balanced digits of X^a·P − P for the accumulator polynomial at u64 offset `base` into
   * `out` (coefficient k at k: exactly the folded FFT input layout).
   */
  private writeRotationDiffDigits(base: number, a: number, out: Float64Array): void {
    const N = this.size;
    const negated = a >= N;
    const r = negated ? a - N : a;
    // k < r: rotated[k] = ∓P[k - r + N]; k ≥ r: rotated[k] = ±P[k - r] (upper sign when not negated).
    this.digitRange(base, 0, r, N - r, negated, out);
    this.digitRange(base, r, N, -r, !negated, out);
  }

  private digitRange(
    base: number,
    from: number,
    to: number,
    srcShift: number,
    plus: boolean,
    out: Float64Array,
  ) {
    const L = this.accLimbs;
    const shift = this.digitShift;
    const roundBit = shift - 1;
    const modMask = (1 << (32 - shift)) - 1;
    const halfBase = 1 << (31 - shift);
    const fullBase = halfBase * 2;
    for (let k = from; k < to; k++) {
      const s = 2 * (base + k + srcShift);
      const t = 2 * (base + k);
      let hi: number;
      if (plus) {
        // rotated − P
        const borrow = L[s]! < L[t]! ? 1 : 0;
        hi = (L[s + 1]! - L[t + 1]! - borrow) >>> 0;
      } else {
        // −rotated' − P = −(P[src] + P[k])
        const carry = L[s]! + L[t]! >= TWO_32 ? 1 : 0;
        hi = (L[s + 1]! + L[t + 1]! + carry) >>> 0;
      }
      let d = ((hi >>> shift) + ((hi >>> roundBit) & 1)) & modMask;
      if (d >= halfBase) d -= fullBase;
      out[k] = plus ? d : -d;
    }
  }

  private multiplyAccumulate(
    i: number,
    d0: Float64Array,
    d1: Float64Array,
    p0: Float64Array,
    p1: Float64Array,
  ) {
    const N = this.size;
    const half = N / 2;
    const B = this.bskFourier;
    const b00 = i * 4 * N;
    const b01 = b00 + N;
    const b10 = b00 + 2 * N;
    const b11 = b00 + 3 * N;
    for (let k = 0; k < half; k++) {
      const ar = d0[k]!;
      const ai = d0[k + half]!;
      const br = d1[k]!;
      const bi = d1[k + half]!;
      let xr = B[b00 + k]!;
      let xi = B[b00 + half + k]!;
      let yr = B[b10 + k]!;
      let yi = B[b10 + half + k]!;
      p0[k] = ar * xr - ai * xi + br * yr - bi * yi;
      p0[k + half] = ar * xi + ai * xr + br * yi + bi * yr;
      xr = B[b01 + k]!;
      xi = B[b01 + half + k]!;
      yr = B[b11 + k]!;
      yi = B[b11 + half + k]!;
      p1[k] = ar * xr - ai * xi + br * yr - bi * yi;
      p1[k + half] = ar * xi + ai * xr + br * yi + bi * yr;
    }
  }

  private addToAccumulator(base: number, product: Float64Array): void {
    const L = this.accLimbs;
    for (let j = 0; j < this.size; j++) {
      let v = Math.round(product[j]!);
      v -= Math.floor(v / TWO_64) * TWO_64;
      const high = Math.floor(v / TWO_32);
      const low = v - high * TWO_32;
      const at = 2 * (base + j);
      const lo = L[at]! + low;
      L[at] = lo;
      L[at + 1] = L[at + 1]! + high + (lo >= TWO_32 ? 1 : 0);
    }
  }
}
