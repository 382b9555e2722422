import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  attachWasmBlindRotator,
  createWasmBlindRotator,
  sharedFourierBskOf,
} from '../../../src/engine/wasm/wasm-blind-rotator.js';
import { BASE_LOG, measureRotationNoise, N } from './blind-rotation-check.js';
import { centered, createRng, monomialMul, negacyclicMulSmall, randomU64Poly } from './exact-glwe.js';
import { startRotationWorker } from './rotation-worker.js';
import { createScalarBlindRotator } from './scalar-blind-rotator.js';

const GADGET_SHIFT = 64n - BigInt(BASE_LOG);
const params = { n: 1, N, baseLog: BASE_LOG, level: 1 };

/** round(x / 2^41) with the digit taken balanced in [-2^22, 2^22), as the PBS decomposition specifies. */
function balancedDigit(x: bigint): number {
  const base = 1n << BigInt(BASE_LOG);
  const rounded = ((x + (1n << (GADGET_SHIFT - 1n))) >> GADGET_SHIFT) % base;
  return Number(rounded >= base / 2n ? rounded - base : rounded);
}

function polyFrom(values: number[]): BigUint64Array {
  return BigUint64Array.from(values, (x) => BigInt.asUintN(64, BigInt(x)));
}

function smallPoly(rng: () => number, bound: number, size = N): number[] {
  return Array.from({ length: size }, () => (rng() % (2 * bound + 1)) - bound);
}

/**
 * A one-entry "BSK" with arbitrary polys G[row][col] turns rotate into one external product:
 * out = acc + (dMask·G00 + dBody·G10, dMask·G01 + dBody·G11), d = digits of X^a·acc - acc.
 * Returns the largest |out - exact| over all coefficients.
 */
function externalProductError(ggsw: BigUint64Array[], acc: BigUint64Array, rotation: number): number {
  const size = ggsw[0].length;
  const bsk = new BigUint64Array(ggsw.flatMap((poly) => [...poly]));
  const rotator = createWasmBlindRotator(bsk, { ...params, N: size });
  const out = rotator.rotate(acc, Uint32Array.of(rotation));
  const [mask, body] = [acc.subarray(0, size), acc.subarray(size)];
  const digits = (poly: BigUint64Array) => {
    const rotated = monomialMul(poly, rotation);
    return Array.from(poly, (x, j) => balancedDigit(BigInt.asUintN(64, rotated[j] - x)));
  };
  const [dMask, dBody] = [digits(mask), digits(body)];
  const expectedMask = [negacyclicMulSmall(dMask, ggsw[0]), negacyclicMulSmall(dBody, ggsw[2])];
  const expectedBody = [negacyclicMulSmall(dMask, ggsw[1]), negacyclicMulSmall(dBody, ggsw[3])];
  let maxError = 0;
  for (let j = 0; j < size; j++) {
    const errorMask = centered(out[j] - mask[j] - expectedMask[0][j] - expectedMask[1][j]);
    const errorBody = centered(out[size + j] - body[j] - expectedBody[0][j] - expectedBody[1][j]);
    maxError = Math.max(maxError, Math.abs(Number(errorMask)), Math.abs(Number(errorBody)));
  }
  return maxError;
}

describe('wasm blind rotation kernel', () => {
  it('computes FFT negacyclic products exactly for small coefficients', () => {
    const rng = createRng(11);
    const ggsw = [0, 1, 2, 3].map(() => polyFrom(smallPoly(rng, 1 << 20)));
    for (const rotation of [1, 777, N, N + 1234, 2 * N - 1]) {
      // acc = c·2^41 so that the digits are exactly X^a·c - c, up to 2^11
      const acc = polyFrom([...smallPoly(rng, 1000), ...smallPoly(rng, 1000)].map((c) => c * 2 ** 41));
      expect(externalProductError(ggsw, acc, rotation)).toBe(0);
    }
  });

  it('supports the other polynomial sizes it accepts (N/2 a power of 4)', () => {
    const rng = createRng(19);
    for (const size of [32, 512]) {
      const ggsw = [0, 1, 2, 3].map(() => polyFrom(smallPoly(rng, 1 << 16, size)));
      const acc = polyFrom(smallPoly(rng, 1000, 2 * size).map((c) => c * 2 ** 41));
      expect(externalProductError(ggsw, acc, size + 5)).toBe(0);
    }
  });

  it('takes balanced digits at rounding ties and at the -2^22 / 2^22 boundary', () => {
    const rng = createRng(18);
    const ggsw = [0, 1, 2, 3].map(() => polyFrom(smallPoly(rng, 1 << 10)));
    const edges = [1n << 40n, (1n << 40n) - 1n, 3n << 40n, 1n << 63n, (1n << 63n) - (1n << 40n) - 1n];
    edges.push(
      (1n << 63n) - (1n << 40n),
      (1n << 64n) - (1n << 40n),
      (1n << 64n) - (1n << 40n) - 1n,
      (1n << 64n) - 1n,
    );
    // with rotation 1 and every other coefficient zero, X·acc - acc holds the edge values and their negations
    const acc = new BigUint64Array(2 * N);
    for (let k = 0; k < 2 * N; k += 2) acc[k] = edges[(k / 2) % edges.length];
    expect(externalProductError(ggsw, acc, 1)).toBe(0);
  });

  it('decomposes full-range coefficients and wraps ~2^90 products mod 2^64', () => {
    const rng = createRng(12);
    const ggsw = [0, 1, 2, 3].map(() => randomU64Poly(rng, N));
    const acc = randomU64Poly(rng, 2 * N);
    // |products| reach 2^22·2^63·2^11; f64 keeps ~53 bits of them, a wrong wrap would be off by ~2^63
    expect(Math.log2(externalProductError(ggsw, acc, 1501))).toBeLessThan(44);
  });

  it('rotates a GLWE-encrypted LUT by X^(sum mask_i*s_i) with small noise', () => {
    const noise = measureRotationNoise(createWasmBlindRotator, 32, 13);
    console.log(
      `wasm blind rotation, n=32: noise std 2^${noise.stdLog2.toFixed(1)}, max 2^${noise.maxAbsLog2.toFixed(1)}`,
    );
    expect(noise.maxAbsLog2).toBeLessThan(50);
  });

  it('gives identical results from a second instance attached to the shared Fourier BSK', () => {
    const rng = createRng(14);
    const n = 4;
    const rotator = createWasmBlindRotator(randomU64Poly(rng, n * 4 * N), { ...params, n });
    const attached = attachWasmBlindRotator(sharedFourierBskOf(rotator));
    const acc = randomU64Poly(rng, 2 * N);
    const mask = Uint32Array.of(5, 0, 3000, 4095);
    expect(attached.rotate(acc, mask)).toEqual(rotator.rotate(acc, mask));
  });

  it('rotates in a worker thread over the Fourier BSK posted as shared memory', async () => {
    const rng = createRng(17);
    const n = 4;
    const rotator = createWasmBlindRotator(randomU64Poly(rng, n * 4 * N), { ...params, n });
    const acc = randomU64Poly(rng, 2 * N);
    const mask = Uint32Array.of(1, 0, 2222, 4000);
    const worker = startRotationWorker(sharedFourierBskOf(rotator));
    try {
      const { rotated } = await worker.rotate({ acc, mask, runs: 1 });
      expect(rotated).toEqual(rotator.rotate(acc, mask));
    } finally {
      await worker.terminate();
    }
  });

  it('runs the committed kernels (blind-rotate.wasm, keyswitch.wasm) built from the current sources', () => {
    const build = fileURLToPath(new URL('../../../src/engine/wasm/build.mjs', import.meta.url));
    expect(() => execFileSync(process.execPath, [build, '--check'], { stdio: 'pipe' })).not.toThrow();
  });

  it('leaves the accumulator unchanged when every mask value is zero', () => {
    const rng = createRng(15);
    const rotator = createWasmBlindRotator(randomU64Poly(rng, 3 * 4 * N), { ...params, n: 3 });
    const acc = randomU64Poly(rng, 2 * N);
    expect(rotator.rotate(acc, new Uint32Array(3))).toEqual(acc);
  });

  it('rejects inputs it cannot handle', () => {
    const bsk = new BigUint64Array(4 * N);
    expect(() => createWasmBlindRotator(bsk, { ...params, level: 2 })).toThrow(RangeError);
    expect(() => createWasmBlindRotator(bsk, { ...params, N: 1024 })).toThrow(RangeError);
    expect(() => createWasmBlindRotator(bsk, { ...params, n: 2 })).toThrow(RangeError);
    const rotator = createWasmBlindRotator(bsk, params);
    expect(() => rotator.rotate(new BigUint64Array(2 * N), Uint32Array.of(2 * N))).toThrow(RangeError);
    expect(() => rotator.rotate(new BigUint64Array(N), Uint32Array.of(1))).toThrow(RangeError);
  });
});

describe('scalar TypeScript blind rotation (benchmark baseline)', () => {
  it('rotates a GLWE-encrypted LUT by X^(sum mask_i*s_i) with small noise', () => {
    expect(measureRotationNoise(createScalarBlindRotator, 8, 16).maxAbsLog2).toBeLessThan(50);
  });
});
