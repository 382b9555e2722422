import { NegacyclicFft } from './fft.js';
import { TWO_32 } from './torus.js';

const LIMB_BITS = 16;
const LIMBS = 4;

/**
 * Exact negacyclic product A·S mod (X^N + 1, 2^64) of a torus polynomial A by a binary polynomial S.
 * A is cut into four 16-bit limbs; each limb product has coefficients below 2^16·N, so an f64 FFT
 * computes it exactly, and the limbs are recombined with carries.
 */
export class BinaryPolyMultiplier {
  private readonly fft: NegacyclicFft;
  private readonly keyRe: Float64Array;
  private readonly keyIm: Float64Array;
  private readonly limbRe: Float64Array[];
  private readonly limbIm: Float64Array[];
  private readonly limbCoefficients: Float64Array;
  private readonly products: Float64Array[];

  constructor(binaryKey: Uint8Array) {
    const n = binaryKey.length;
    this.fft = new NegacyclicFft(n);
    const m = n / 2;
    this.keyRe = new Float64Array(m);
    this.keyIm = new Float64Array(m);
    this.fft.forward(binaryKey, this.keyRe, this.keyIm);
    this.limbRe = Array.from({ length: LIMBS }, () => new Float64Array(m));
    this.limbIm = Array.from({ length: LIMBS }, () => new Float64Array(m));
    this.limbCoefficients = new Float64Array(n);
    this.products = Array.from({ length: LIMBS }, () => new Float64Array(n));
  }

  /** out (limb view, 2N u32) = a (limb view, 2N u32) · S. */
  multiply(a: Uint32Array, out: Uint32Array): void {
    const n = this.limbCoefficients.length;
    for (let l = 0; l < LIMBS; l++) {
      const word = l >> 1;
      const shift = (l & 1) * LIMB_BITS;
      for (let j = 0; j < n; j++) this.limbCoefficients[j] = (a[2 * j + word]! >>> shift) & 0xffff;
      const re = this.limbRe[l]!;
      const im = this.limbIm[l]!;
      this.fft.forward(this.limbCoefficients, re, im);
      for (let k = 0; k < re.length; k++) {
        const r = re[k]! * this.keyRe[k]! - im[k]! * this.keyIm[k]!;
        im[k] = re[k]! * this.keyIm[k]! + im[k]! * this.keyRe[k]!;
        re[k] = r;
      }
      this.fft.inverse(re, im, this.products[l]!);
    }
    const [p0, p1, p2, p3] = this.products as [Float64Array, Float64Array, Float64Array, Float64Array];
    for (let j = 0; j < n; j++) {
      // Negacyclic limb products lie in (-2^27, 2^27); recombine Σ r_l·2^(16l) exactly, then let the
      // Uint32Array stores reduce mod 2^32 (ToUint32 is exact for integer doubles).
      const r0 = Math.round(p0[j]!);
      const r1 = Math.round(p1[j]!);
      const r2 = Math.round(p2[j]!);
      const r3 = Math.round(p3[j]!);
      const r1High = Math.floor(r1 / 65536);
      const low = r0 + (r1 - r1High * 65536) * 65536;
      const carry = Math.floor(low / TWO_32);
      out[2 * j] = low - carry * TWO_32;
      out[2 * j + 1] = r1High + r2 + r3 * 65536 + carry;
    }
  }
}
