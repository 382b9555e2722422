// Plain scalar TypeScript blind rotation (same algorithm as the wasm kernel: folded negacyclic f64 FFT,
// radix-4 DIF forward / DIT inverse), the baseline the benchmark compares the kernel against.
import type { BlindRotatorFactory } from '../../../src/engine/wasm/wasm-blind-rotator.js';

const TWO_POW_32 = 2 ** 32;
const TWO_POW_64 = 2 ** 64;

class ScalarFft {
  readonly size: number;
  private readonly twistRe: Float64Array;
  private readonly twistIm: Float64Array;
  /** Per stage (length L = size, size/4, ..., 4): W_L^j, W_L^2j, W_L^3j as (re, im) sextuples. */
  private readonly twiddles: Float64Array[] = [];

  constructor(polySize: number) {
    this.size = polySize / 2;
    this.twistRe = Float64Array.from({ length: this.size }, (_, j) => Math.cos((Math.PI * j) / polySize));
    this.twistIm = Float64Array.from({ length: this.size }, (_, j) => Math.sin((Math.PI * j) / polySize));
    for (let len = this.size; len >= 4; len /= 4) {
      const table = new Float64Array((len / 4) * 6);
      for (let j = 0; j < len / 4; j++) {
        for (let power = 1; power <= 3; power++) {
          table[j * 6 + (power - 1) * 2] = Math.cos((-2 * Math.PI * power * j) / len);
          table[j * 6 + (power - 1) * 2 + 1] = Math.sin((-2 * Math.PI * power * j) / len);
        }
      }
      this.twiddles.push(table);
    }
  }

  /** Folds coefficients (c_j + i c_{j+size}), twists by e^{i pi j / N}, transforms in place. */
  forward(coefficients: ArrayLike<number>, re: Float64Array, im: Float64Array): void {
    const { size, twistRe, twistIm } = this;
    for (let j = 0; j < size; j++) {
      const a = coefficients[j];
      const b = coefficients[j + size];
      re[j] = a * twistRe[j] - b * twistIm[j];
      im[j] = a * twistIm[j] + b * twistRe[j];
    }
    let stage = 0;
    for (let len = size; len >= 4; len /= 4) {
      const quarter = len / 4;
      const table = this.twiddles[stage++];
      for (let j = 0; j < quarter; j++) {
        const w1r = table[j * 6];
        const w1i = table[j * 6 + 1];
        const w2r = table[j * 6 + 2];
        const w2i = table[j * 6 + 3];
        const w3r = table[j * 6 + 4];
        const w3i = table[j * 6 + 5];
        for (let p0 = j; p0 < size; p0 += len) {
          const p1 = p0 + quarter;
          const p2 = p1 + quarter;
          const p3 = p2 + quarter;
          const s02r = re[p0] + re[p2];
          const s02i = im[p0] + im[p2];
          const d02r = re[p0] - re[p2];
          const d02i = im[p0] - im[p2];
          const s13r = re[p1] + re[p3];
          const s13i = im[p1] + im[p3];
          const d13r = re[p1] - re[p3];
          const d13i = im[p1] - im[p3];
          re[p0] = s02r + s13r;
          im[p0] = s02i + s13i;
          const y1r = d02r + d13i;
          const y1i = d02i - d13r;
          const y2r = s02r - s13r;
          const y2i = s02i - s13i;
          const y3r = d02r - d13i;
          const y3i = d02i + d13r;
          re[p1] = y1r * w1r - y1i * w1i;
          im[p1] = y1r * w1i + y1i * w1r;
          re[p2] = y2r * w2r - y2i * w2i;
          im[p2] = y2r * w2i + y2i * w2r;
          re[p3] = y3r * w3r - y3i * w3i;
          im[p3] = y3r * w3i + y3i * w3r;
        }
      }
    }
  }

  /** Inverse of `forward` including untwist and 1/size; overwrites re (coefficients j) and im (j + size). */
  inverse(re: Float64Array, im: Float64Array): void {
    const { size, twistRe, twistIm } = this;
    let stage = this.twiddles.length;
    for (let len = 4; len <= size; len *= 4) {
      const quarter = len / 4;
      const table = this.twiddles[--stage];
      for (let j = 0; j < quarter; j++) {
        const w1r = table[j * 6];
        const w1i = table[j * 6 + 1];
        const w2r = table[j * 6 + 2];
        const w2i = table[j * 6 + 3];
        const w3r = table[j * 6 + 4];
        const w3i = table[j * 6 + 5];
        for (let p0 = j; p0 < size; p0 += len) {
          const p1 = p0 + quarter;
          const p2 = p1 + quarter;
          const p3 = p2 + quarter;
          // multiply by the conjugate twiddles
          const y1r = re[p1] * w1r + im[p1] * w1i;
          const y1i = im[p1] * w1r - re[p1] * w1i;
          const y2r = re[p2] * w2r + im[p2] * w2i;
          const y2i = im[p2] * w2r - re[p2] * w2i;
          const y3r = re[p3] * w3r + im[p3] * w3i;
          const y3i = im[p3] * w3r - re[p3] * w3i;
          const s02r = re[p0] + y2r;
          const s02i = im[p0] + y2i;
          const d02r = re[p0] - y2r;
          const d02i = im[p0] - y2i;
          const s13r = y1r + y3r;
          const s13i = y1i + y3i;
          const d13r = y1r - y3r;
          const d13i = y1i - y3i;
          re[p0] = s02r + s13r;
          im[p0] = s02i + s13i;
          re[p1] = d02r - d13i;
          im[p1] = d02i + d13r;
          re[p2] = s02r - s13r;
          im[p2] = s02i - s13i;
          re[p3] = d02r + d13i;
          im[p3] = d02i - d13r;
        }
      }
    }
    for (let j = 0; j < size; j++) {
      const r = re[j];
      const i = im[j];
      re[j] = (r * twistRe[j] + i * twistIm[j]) / size;
      im[j] = (i * twistRe[j] - r * twistIm[j]) / size;
    }
  }
}

/** ACC keeps each u64 coefficient as (hi, lo) uint32 halves, the digits and products as f64. */
export const createScalarBlindRotator: BlindRotatorFactory = (bskStandard, params) => {
  const { n, N, baseLog } = params;
  const fft = new ScalarFft(N);
  const half = N / 2;
  const shift = 64 - baseLog;
  // Fourier GGSW i, poly (row r, column c) at ((i*4 + r*2 + c) * 2) * half: re then im
  const bsk = new Float64Array(n * 8 * half);
  const signed = new Float64Array(N);
  for (let poly = 0; poly < n * 4; poly++) {
    for (let j = 0; j < N; j++) signed[j] = Number(BigInt.asIntN(64, bskStandard[poly * N + j]));
    const re = bsk.subarray(poly * 2 * half, (poly * 2 + 1) * half);
    fft.forward(signed, re, bsk.subarray((poly * 2 + 1) * half, (poly * 2 + 2) * half));
  }
  const hi = new Uint32Array(2 * N);
  const lo = new Uint32Array(2 * N);
  const digits = [new Float64Array(N), new Float64Array(N)];
  const digitRe = [new Float64Array(half), new Float64Array(half)];
  const digitIm = [new Float64Array(half), new Float64Array(half)];
  const outRe = new Float64Array(half);
  const outIm = new Float64Array(half);

  return {
    rotate(acc, mask) {
      for (let k = 0; k < 2 * N; k++) {
        hi[k] = Number(acc[k] >> 32n);
        lo[k] = Number(acc[k] & 0xffffffffn);
      }
      for (let i = 0; i < n; i++) {
        const rotation = mask[i];
        if (rotation === 0) continue;
        for (let poly = 0; poly < 2; poly++) {
          const base = poly * N;
          const polyDigits = digits[poly];
          for (let k = 0; k < N; k++) {
            const source = (k - rotation + 2 * N) % (2 * N);
            const negate = source >= N;
            const s = base + (negate ? source - N : source);
            let rotLo = lo[s];
            let rotHi = hi[s];
            if (negate) {
              rotHi = (~rotHi + (rotLo === 0 ? 1 : 0)) >>> 0;
              rotLo = -rotLo >>> 0;
            }
            const borrow = rotLo < lo[base + k] ? 1 : 0;
            const diffHi = (rotHi - hi[base + k] - borrow) >>> 0;
            // digit = round(diff / 2^shift), balanced: the rounding offset 2^(shift-1) only touches hi
            polyDigits[k] = ((diffHi + 2 ** (shift - 33)) | 0) >> (shift - 32);
          }
          fft.forward(polyDigits, digitRe[poly], digitIm[poly]);
        }
        const ggsw = i * 8 * half;
        for (let column = 0; column < 2; column++) {
          const g0 = ggsw + column * 2 * half;
          const g1 = ggsw + (4 + column * 2) * half;
          for (let j = 0; j < half; j++) {
            const ar = digitRe[0][j];
            const ai = digitIm[0][j];
            const br = digitRe[1][j];
            const bi = digitIm[1][j];
            outRe[j] =
              ar * bsk[g0 + j] - ai * bsk[g0 + half + j] + br * bsk[g1 + j] - bi * bsk[g1 + half + j];
            outIm[j] =
              ar * bsk[g0 + half + j] + ai * bsk[g0 + j] + br * bsk[g1 + half + j] + bi * bsk[g1 + j];
          }
          fft.inverse(outRe, outIm);
          const base = column * N;
          for (let j = 0; j < N; j++) {
            const value = Math.round(j < half ? outRe[j] : outIm[j - half]);
            // exact: |value - wraps*2^64| <= 2^63 and a multiple of ulp(value) >= 2^11 once |value| >= 2^63
            const wrapped = value - Math.round(value / TWO_POW_64) * TWO_POW_64;
            const addHi = Math.floor(wrapped / TWO_POW_32);
            const sumLo = lo[base + j] + (wrapped - addHi * TWO_POW_32);
            const carry = sumLo >= TWO_POW_32 ? 1 : 0;
            lo[base + j] = sumLo >>> 0;
            hi[base + j] = (hi[base + j] + addHi + carry) >>> 0;
          }
        }
      }
      return BigUint64Array.from({ length: 2 * N }, (_, k) => (BigInt(hi[k]) << 32n) | BigInt(lo[k]));
    },
  };
};
