/**
 * Negacyclic FFT for products in Z[X]/(X^N + 1), N = 2·M, on M complex points.
 *
 * A real polynomial p is folded to z_j = (p_j + i·p_{j+M})·ω^j with ω = e^{iπ/N} (the "twist"), then a
 * size-M complex FFT evaluates it at the odd powers of ω, where the negacyclic product is pointwise.
 * The forward transform is decimation-in-frequency and leaves its output in bit-reversed order; the
 * inverse is decimation-in-time and takes bit-reversed input, so no permutation pass is ever needed.
 * Pointwise products do not care about the order, as long as every operand uses this same transform.
 */
export class NegacyclicFft {
  readonly half: number;
  private readonly twistRe: Float64Array;
  private readonly twistIm: Float64Array;
  /** Per-stage twiddles e^{-2πik/len}, stage with half-length h stored at offset h-1. */
  private readonly rootsRe: Float64Array;
  private readonly rootsIm: Float64Array;

  constructor(readonly size: number) {
    const m = size / 2;
    this.half = m;
    this.twistRe = new Float64Array(m);
    this.twistIm = new Float64Array(m);
    for (let j = 0; j < m; j++) {
      const angle = (Math.PI * j) / size;
      this.twistRe[j] = Math.cos(angle);
      this.twistIm[j] = Math.sin(angle);
    }
    this.rootsRe = new Float64Array(m);
    this.rootsIm = new Float64Array(m);
    for (let h = 1; h < m; h *= 2) {
      for (let k = 0; k < h; k++) {
        const angle = (-Math.PI * k) / h;
        this.rootsRe[h - 1 + k] = Math.cos(angle);
        this.rootsIm[h - 1 + k] = Math.sin(angle);
      }
    }
  }

  /** Folds, twists and transforms N real coefficients into (re, im), bit-reversed order. */
  forward(coefficients: ArrayLike<number>, re: Float64Array, im: Float64Array): void {
    const m = this.half;
    const tr = this.twistRe;
    const ti = this.twistIm;
    for (let j = 0; j < m; j++) {
      const a = coefficients[j]!;
      const b = coefficients[j + m]!;
      re[j] = a * tr[j]! - b * ti[j]!;
      im[j] = a * ti[j]! + b * tr[j]!;
    }
    this.forwardInPlace(re, im);
  }

  /**
   * Inverse of `forward`, scaled: writes the N real coefficients (not rounded) into `out`.
   * The input arrays are clobbered.
   */
  inverse(re: Float64Array, im: Float64Array, out: Float64Array): void {
    this.inverseInPlace(re, im);
    const m = this.half;
    const tr = this.twistRe;
    const ti = this.twistIm;
    const scale = 1 / m;
    for (let j = 0; j < m; j++) {
      const a = re[j]!;
      const b = im[j]!;
      // multiply by conj(twist)
      out[j] = (a * tr[j]! + b * ti[j]!) * scale;
      out[j + m] = (b * tr[j]! - a * ti[j]!) * scale;
    }
  }

  /** Twists a folded input already written into (re, im) and transforms it. */
  twistAndForward(re: Float64Array, im: Float64Array): void {
    const m = this.half;
    const tr = this.twistRe;
    const ti = this.twistIm;
    for (let j = 0; j < m; j++) {
      const a = re[j]!;
      const b = im[j]!;
      re[j] = a * tr[j]! - b * ti[j]!;
      im[j] = a * ti[j]! + b * tr[j]!;
    }
    this.forwardInPlace(re, im);
  }

  /** Inverse transform and untwist in place, scaled; real parts are coefficients j, imaginary j+M. */
  inverseAndUntwist(re: Float64Array, im: Float64Array): void {
    this.inverseInPlace(re, im);
    const m = this.half;
    const tr = this.twistRe;
    const ti = this.twistIm;
    const scale = 1 / m;
    for (let j = 0; j < m; j++) {
      const a = re[j]!;
      const b = im[j]!;
      re[j] = (a * tr[j]! + b * ti[j]!) * scale;
      im[j] = (b * tr[j]! - a * ti[j]!) * scale;
    }
  }

  /** Decimation-in-frequency, natural order in, bit-reversed out. */
  forwardInPlace(re: Float64Array, im: Float64Array): void {
    const m = this.half;
    const wr = this.rootsRe;
    const wi = this.rootsIm;
    for (let h = m >> 1; h >= 2; h >>= 1) {
      const len = h << 1;
      for (let s = 0; s < m; s += len) {
        for (let k = 0; k < h; k++) {
          const p = s + k;
          const q = p + h;
          const ur = re[p]!;
          const ui = im[p]!;
          const vr = re[q]!;
          const vi = im[q]!;
          re[p] = ur + vr;
          im[p] = ui + vi;
          const dr = ur - vr;
          const di = ui - vi;
          const cr = wr[h - 1 + k]!;
          const ci = wi[h - 1 + k]!;
          re[q] = dr * cr - di * ci;
          im[q] = dr * ci + di * cr;
        }
      }
    }
    for (let p = 0; p < m; p += 2) {
      const ur = re[p]!;
      const ui = im[p]!;
      const vr = re[p + 1]!;
      const vi = im[p + 1]!;
      re[p] = ur + vr;
      im[p] = ui + vi;
      re[p + 1] = ur - vr;
      im[p + 1] = ui - vi;
    }
  }

  /** Decimation-in-time with conjugate twiddles, bit-reversed in, natural out, unscaled. */
  inverseInPlace(re: Float64Array, im: Float64Array): void {
    const m = this.half;
    const wr = this.rootsRe;
    const wi = this.rootsIm;
    for (let p = 0; p < m; p += 2) {
      const ur = re[p]!;
      const ui = im[p]!;
      const vr = re[p + 1]!;
      const vi = im[p + 1]!;
      re[p] = ur + vr;
      im[p] = ui + vi;
      re[p + 1] = ur - vr;
      im[p + 1] = ui - vi;
    }
    for (let h = 2; h < m; h <<= 1) {
      const len = h << 1;
      for (let s = 0; s < m; s += len) {
        for (let k = 0; k < h; k++) {
          const p = s + k;
          const q = p + h;
          const cr = wr[h - 1 + k]!;
          const ci = -wi[h - 1 + k]!;
          const xr = re[q]!;
          const xi = im[q]!;
          const vr = xr * cr - xi * ci;
          const vi = xr * ci + xi * cr;
          const ur = re[p]!;
          const ui = im[p]!;
          re[p] = ur + vr;
          im[p] = ui + vi;
          re[q] = ur - vr;
          im[q] = ui - vi;
        }
      }
    }
  }
}
