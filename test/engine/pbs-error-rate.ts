import { randomInt } from 'node:crypto';
import type { Block } from '../../src/engine/block.js';
import { decryptBlock } from '../../src/engine/decrypt.js';
import { PARAMS } from '../../src/engine/params.js';
import type { BlindRotatorFactory } from '../../src/engine/pbs/blind-rotate.js';
import { Bootstrapper } from '../../src/engine/pbs/bootstrap.js';
import type { KeyswitcherFactory } from '../../src/engine/pbs/keyswitch-kernel.js';
import { KeyswitchModSwitch } from '../../src/engine/pbs/keyswitch-modswitch.js';
import { lutOf } from '../../src/engine/pbs/lut.js';
import { addBlocks, scaleBlock } from '../../src/engine/radix/block-ops.js';
import { CARRY_LUTS } from '../../src/engine/radix/parallel-carry.js';
import { encryptBlock } from '../../src/engine/secret-key-encryption.js';
import type { EngineFixture } from './engine-fixture.js';

const TWO_N = 2 * PARAMS.polynomialSize;
const BOX = TWO_N / 32;
const HALF_BOX = BOX / 2;

export interface ErrorRateReport {
  bootstraps: number;
  failures: number;
  /** Std-dev and max |error| of the phase after keyswitch + modulus switch, in units of 1/2N (box half-width 64). */
  switchedErrorStd: number;
  switchedErrorMax: number;
  /** log2 of the Gaussian-tail failure probability implied by that std-dev. */
  estimatedLog2PFail: number;
  msPerBootstrap: number;
}

/**
 * PBS chains at the worst noise level tfhe-rs allows (max_noise_level = 5): every input is the sum of the
 * last five bootstrap outputs, each mapped by a random LUT to 0..3, so a wrong box shows up as a wrong
 * decryption. Also measures the phase error right before blind rotation (what decides correctness).
 */
export function measurePbsErrorRate(
  fixture: EngineFixture,
  bootstraps: number,
  rotator: BlindRotatorFactory,
  keyswitcher?: KeyswitcherFactory,
): ErrorRateReport {
  const { evaluationKeys, secretKeys } = fixture;
  const bootstrapper = new Bootstrapper(evaluationKeys, rotator, keyswitcher);
  const switcher = new KeyswitchModSwitch();
  const mask = new Uint32Array(PARAMS.smallDimension);
  const pool: { block: Block; value: number }[] = [];
  for (let i = 0; i < PARAMS.maxNoiseLevel; i++) {
    const value = randomInt(4);
    pool.push({ block: encryptBlock(value, secretKeys.glweKey), value });
  }
  let failures = 0;
  let sumSquares = 0;
  let maxError = 0;
  const started = performance.now();
  for (let t = 0; t < bootstraps; t++) {
    const input = pool.map((p) => p.block).reduce((s, b) => addBlocks(s, b));
    const inputValue = pool.reduce((s, p) => s + p.value, 0);
    const error = switchedPhaseError(switcher, input.lwe, fixture, mask, inputValue);
    sumSquares += error * error;
    maxError = Math.max(maxError, Math.abs(error));
    const table = Array.from({ length: 16 }, () => randomInt(4));
    const output = {
      lwe: bootstrapper.bootstrap(
        input.lwe,
        lutOf((x) => table[x]!),
      ),
      degree: 3,
      noiseLevel: 1,
    };
    const expected = table[inputValue]!;
    if (decryptBlock(output, secretKeys.glweKey) !== expected) failures++;
    pool.shift();
    pool.push({ block: output, value: expected });
  }
  const msPerBootstrap = (performance.now() - started) / bootstraps;
  const std = Math.sqrt(sumSquares / bootstraps);
  return {
    bootstraps,
    failures,
    switchedErrorStd: std,
    switchedErrorMax: maxError,
    estimatedLog2PFail: log2GaussianTail(HALF_BOX / std),
    msPerBootstrap,
  };
}

/**
 * The parallel carry's LUTs at their worst input noise: the prefix combine on 4·hi + lo of two fresh
 * state blocks (noise level 5 by scaling, the largest variance of any of its inputs), alternating with a
 * random bivariate table over the same states so the chain keeps varied values; and, on the sum of
 * five fresh blocks (noise level 5, as in measurePbsErrorRate), the block-state, message and
 * high-block-with-carry LUTs in turn.
 */
export function measureCarryLutErrorRate(
  fixture: EngineFixture,
  bootstraps: number,
  rotator: BlindRotatorFactory,
): ErrorRateReport {
  const { evaluationKeys, secretKeys } = fixture;
  const bootstrapper = new Bootstrapper(evaluationKeys, rotator);
  const switcher = new KeyswitchModSwitch();
  const mask = new Uint32Array(PARAMS.smallDimension);
  const fresh = (value: number) => ({ block: encryptBlock(value, secretKeys.glweKey), value });
  const states = [fresh(randomInt(3)), fresh(randomInt(3))];
  const sums = Array.from({ length: PARAMS.maxNoiseLevel }, () => fresh(randomInt(4)));
  const univariate = [CARRY_LUTS.state, CARRY_LUTS.message, CARRY_LUTS.highWithCarry];
  let failures = 0;
  let sumSquares = 0;
  let maxError = 0;
  const started = performance.now();
  for (let t = 0; t < bootstraps; t++) {
    const bivariate = t % 2 === 0;
    const [hi, lo] = states.slice(-2) as [(typeof states)[0], (typeof states)[0]];
    const input = bivariate
      ? addBlocks(scaleBlock(hi.block, PARAMS.messageModulus), lo.block)
      : sums.map((p) => p.block).reduce((s, b) => addBlocks(s, b));
    const inputValue = bivariate
      ? PARAMS.messageModulus * hi.value + lo.value
      : sums.reduce((s, p) => s + p.value, 0);
    const error = switchedPhaseError(switcher, input.lwe, fixture, mask, inputValue);
    sumSquares += error * error;
    maxError = Math.max(maxError, Math.abs(error));
    const table = Array.from({ length: 16 }, () => randomInt(3));
    const f = bivariate
      ? t % 4 === 0
        ? (x: number) => CARRY_LUTS.combine(x >> 2, x & 3)
        : (x: number) => table[x]!
      : univariate[(t >> 1) % univariate.length]!;
    const expected = f(inputValue);
    const output = { lwe: bootstrapper.bootstrap(input.lwe, lutOf(f)), degree: 3, noiseLevel: 1 };
    if (decryptBlock(output, secretKeys.glweKey) !== expected) failures++;
    if (bivariate) {
      states.shift();
      states.push({ block: output, value: expected });
    } else {
      sums.shift();
      sums.push({ block: output, value: expected });
    }
  }
  const msPerBootstrap = (performance.now() - started) / bootstraps;
  const std = Math.sqrt(sumSquares / bootstraps);
  return {
    bootstraps,
    failures,
    switchedErrorStd: std,
    switchedErrorMax: maxError,
    estimatedLog2PFail: log2GaussianTail(HALF_BOX / std),
    msPerBootstrap,
  };
}

/** (b~ − <a~, s>) mod 2N minus the ideal position of `value`, wrapped to (−N, N]. */
function switchedPhaseError(
  switcher: KeyswitchModSwitch,
  lwe: BigUint64Array,
  fixture: EngineFixture,
  mask: Uint32Array,
  value: number,
): number {
  const limbs = new Uint32Array(lwe.buffer, lwe.byteOffset, lwe.length * 2);
  const body = switcher.run(limbs, fixture.evaluationKeys.keyswitchKey, mask);
  let phase = body;
  for (let i = 0; i < mask.length; i++) if (fixture.secretKeys.smallKey[i] === 1) phase -= mask[i]!;
  // The centered switch subtracts half a unit on purpose, so the ideal phase is value·BOX − 1/2.
  let error = (((phase - value * BOX) % TWO_N) + TWO_N) % TWO_N;
  if (error > TWO_N / 2) error -= TWO_N;
  return error + 0.5;
}

/**
 * tfhe-rs's p_fail ≤ 2^-129.6 corresponds to a switched-phase std-dev of ≈4.8 units (half box 64 ≈ 13.3σ);
 * we measure ≈4.6–5.1. The estimate from n samples varies by ±1/√(2n) relative (one sd): the bound allows
 * 3 sd, so only a real regression fails (a non-centered modulus switch gives ≈6.3, a broken key ≈1000).
 */
export function switchedStdBound(samples: number): number {
  return 4.9 * (1 + 3 / Math.sqrt(2 * samples));
}

/** log2 P(|X| > k·σ) for a Gaussian, via the asymptotic erfc expansion (k ≥ 3). */
function log2GaussianTail(k: number): number {
  const lnTail = -(k * k) / 2 - Math.log(k) - 0.5 * Math.log(Math.PI / 2);
  return lnTail / Math.LN2;
}
