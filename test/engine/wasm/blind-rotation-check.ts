// Shared by the default and the wide blind-rotation tests: a real GGSW BSK, a trivially encrypted random
// LUT, and the rotated phase compared with the exact expected rotation.
import type { BlindRotatorFactory } from '../../../src/engine/wasm/wasm-blind-rotator.js';
import {
  buildStandardBsk,
  centered,
  createRng,
  glwePhase,
  monomialMul,
  randomBinary,
  randomU64Poly,
} from './exact-glwe.js';

export const N = 2048;
export const BASE_LOG = 23;
/** TUniform bound of the BSK noise in the real parameters (glwe_noise_distribution). */
const BSK_NOISE_BOUND_LOG = 17;

export interface RotationNoise {
  maxAbsLog2: number;
  stdLog2: number;
}

/**
 * Rotates a trivial GLWE of a random LUT by a random mask (with some zero entries) and returns the noise of
 * phase(result) - X^(sum mask_i*s_i)·LUT. rotate computes ACC <- ACC + ExtProd(BSK_i, X^(mask_i)ACC - ACC),
 * i.e. ACC <- X^(mask_i*s_i)·ACC.
 */
export function measureRotationNoise(
  createRotator: BlindRotatorFactory,
  n: number,
  seed: number,
): RotationNoise {
  const rng = createRng(seed);
  const glweKey = randomBinary(rng, N);
  const smallKey = randomBinary(rng, n);
  const bsk = buildStandardBsk(rng, glweKey, smallKey, BASE_LOG, BSK_NOISE_BOUND_LOG);
  const rotator = createRotator(bsk, { n, N, baseLog: BASE_LOG, level: 1 });

  const lut = randomU64Poly(rng, N);
  const trivialGlwe = new BigUint64Array(2 * N);
  trivialGlwe.set(lut, N);
  const mask = Uint32Array.from({ length: n }, (_, i) => (i % 7 === 3 ? 0 : rng() % (2 * N)));
  const rotated = rotator.rotate(trivialGlwe, mask);

  let exponent = 0;
  for (let i = 0; i < n; i++) exponent += mask[i] * smallKey[i];
  const expected = monomialMul(lut, exponent % (2 * N));
  const phase = glwePhase(rotated, glweKey);
  let sumSquares = 0;
  let maxAbs = 0;
  for (let j = 0; j < N; j++) {
    const error = Number(centered(phase[j] - expected[j]));
    sumSquares += error * error;
    maxAbs = Math.max(maxAbs, Math.abs(error));
  }
  return { maxAbsLog2: Math.log2(maxAbs), stdLog2: Math.log2(Math.sqrt(sumSquares / N)) };
}
