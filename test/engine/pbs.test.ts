import { describe, expect, it } from 'vitest';
import { decryptBlock, noiseBitsOf } from '../../src/engine/decrypt.js';
import { createTypeScriptBlindRotator } from '../../src/engine/pbs/blind-rotate.js';
import { Bootstrapper } from '../../src/engine/pbs/bootstrap.js';
import { createTypeScriptKeyswitcher } from '../../src/engine/pbs/keyswitch-kernel.js';
import { bivariateLutOf, lutOf } from '../../src/engine/pbs/lut.js';
import { addBlocks, scaleBlock } from '../../src/engine/radix/block-ops.js';
import { encryptBlock } from '../../src/engine/secret-key-encryption.js';
import { createWasmBlindRotator } from '../../src/engine/wasm/wasm-blind-rotator.js';
import { createWasmKeyswitcher } from '../../src/engine/wasm/wasm-keyswitcher.js';
import { engineFixture } from './engine-fixture.js';
import { measurePbsErrorRate, switchedStdBound } from './pbs-error-rate.js';

describe('programmable bootstrapping (own keys, KS_PBS, centered modulus switch)', () => {
  const fixture = engineFixture();
  const { glweKey } = fixture.secretKeys;
  const bootstrapper = new Bootstrapper(fixture.evaluationKeys);

  it('evaluates an arbitrary univariate LUT on every block value 0..15', () => {
    const f = (x: number) => (x * 7 + 3) % 16;
    for (const x of [0, 5, 10, 15]) {
      const out = {
        lwe: bootstrapper.bootstrap(encryptBlock(x, glweKey).lwe, lutOf(f)),
        degree: 15,
        noiseLevel: 1,
      };
      expect(decryptBlock(out, glweKey)).toBe(f(x));
      // tfhe-rs PBS outputs carry ~2^48–2^50 of noise; Δ/2 = 2^58 is the decoding limit.
      expect(noiseBitsOf(out, glweKey)).toBeLessThan(52);
    }
  });

  it('evaluates a bivariate LUT on blocks packed as 4·a + b', () => {
    const a = encryptBlock(3, glweKey);
    const b = encryptBlock(2, glweKey);
    const packed = addBlocks(scaleBlock(a, 4), b);
    const out = {
      lwe: bootstrapper.bootstrap(
        packed.lwe,
        bivariateLutOf((x, y) => (x * y) % 4),
      ),
      degree: 3,
      noiseLevel: 1,
    };
    expect(decryptBlock(out, glweKey)).toBe(2);
  });

  it('evaluates two LUTs in one blind rotation for inputs below 8', () => {
    const x = encryptBlock(6, glweKey);
    const [msg, carry] = bootstrapper.bootstrapPair(
      x.lwe,
      lutOf((v) => (v < 8 ? v % 4 : Math.floor((v - 8) / 4))),
    );
    expect(decryptBlock({ lwe: msg, degree: 3, noiseLevel: 1 }, glweKey)).toBe(2);
    expect(decryptBlock({ lwe: carry, degree: 1, noiseLevel: 1 }, glweKey)).toBe(1);
  });

  for (const [kernel, factory, keyswitcher, samples] of [
    ['wasm SIMD', createWasmBlindRotator, createWasmKeyswitcher, 200],
    ['TypeScript', createTypeScriptBlindRotator, createTypeScriptKeyswitcher, 12],
  ] as const) {
    it(`keeps the failure rate within the parameter set at max noise level, ${kernel} kernel (${samples} PBS; wide suite runs more)`, () => {
      const report = measurePbsErrorRate(fixture, samples, factory, keyswitcher);
      console.log(`PBS error rate (${kernel}):`, JSON.stringify(report));
      expect(report.failures).toBe(0);
      expect(report.switchedErrorStd).toBeLessThan(switchedStdBound(samples));
    });
  }
});
