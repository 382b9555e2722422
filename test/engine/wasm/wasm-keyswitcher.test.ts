import { describe, expect, it } from 'vitest';
import { decodeValue, encodeValue } from '../../../src/engine/codec/ciphertext-codec.js';
import type { KeyswitchKey } from '../../../src/engine/evaluation-keys.js';
import { limbView } from '../../../src/engine/math/torus.js';
import { PARAMS } from '../../../src/engine/params.js';
import { Bootstrapper } from '../../../src/engine/pbs/bootstrap.js';
import { createTypeScriptKeyswitcher, type Keyswitcher } from '../../../src/engine/pbs/keyswitch-kernel.js';
import { lutOf } from '../../../src/engine/pbs/lut.js';
import { addBlocks } from '../../../src/engine/radix/block-ops.js';
import { encryptBlock } from '../../../src/engine/secret-key-encryption.js';
import { createWasmBlindRotator } from '../../../src/engine/wasm/wasm-blind-rotator.js';
import {
  attachWasmKeyswitcher,
  createWasmKeyswitcher,
  sharedKeyswitchKeyOf,
} from '../../../src/engine/wasm/wasm-keyswitcher.js';
import { FheType } from '../../../src/fhevm/fhe-types.js';
import { decryptWithClientKey, encryptWithClientKey } from '../../../src/tfhe/client-ciphertexts.js';
import { engineFixture } from '../engine-fixture.js';
import { createRng, randomU64Poly } from './exact-glwe.js';
import { startKeyswitchWorker } from './keyswitch-worker.js';

const n = PARAMS.smallDimension;
const LEVELS = PARAMS.ksLevel;

function switched(keyswitcher: Keyswitcher, input: Uint32Array): { mask: Uint32Array; body: number } {
  const mask = new Uint32Array(n);
  const body = keyswitcher.run(input, mask);
  return { mask, body };
}

/** Big LWEs whose mask high words sit on digit and rounding boundaries (carries, wrap, -base/2 digits). */
function boundaryInputs(inputDimension: number): Uint32Array[] {
  const highs = [
    0x00007fff, 0x00008000, 0x7fff8000, 0x80000000, 0xffff7fff, 0xffff8000, 0xffffffff, 0x00080000,
    0x88888888, 0x77777777, 0x00078000,
  ];
  return [0x7fffffff, 0x80000000].map((bodyLow, variant) => {
    const limbs = new Uint32Array(2 * (inputDimension + 1));
    for (let i = 0; i < inputDimension; i++) {
      limbs[2 * i] = (i * 0x9e3779b9) >>> 0;
      limbs[2 * i + 1] = highs[(i + variant) % highs.length]!;
    }
    limbs[2 * inputDimension] = bodyLow;
    limbs[2 * inputDimension + 1] = 0x12345678;
    return limbs;
  });
}

/**
 * A one-coefficient KSK whose last row is −target: an input with high word 2^16 has digits (0, 0, 0, 1),
 * so the keyswitched LWE is exactly `target` (mask values, then body) and the modulus switch sees chosen values.
 */
function modSwitchCase(target: number[]): { ksk: KeyswitchKey; input: Uint32Array } {
  const rows = new Int32Array(LEVELS * (n + 1));
  target.forEach((value, k) => {
    rows[(LEVELS - 1) * (n + 1) + k] = -value | 0;
  });
  return { ksk: { inputDimension: 1, rows }, input: Uint32Array.of(0, 1 << 16, 0, 0) };
}

describe('wasm keyswitch + modulus switch kernel', () => {
  const fixture = engineFixture();
  const { keyswitchKey } = fixture.evaluationKeys;
  const { glweKey } = fixture.secretKeys;
  const reference = createTypeScriptKeyswitcher(keyswitchKey);
  const wasm = createWasmKeyswitcher(keyswitchKey);

  it('equals the TypeScript keyswitch exactly on real encryptions, full-range and boundary inputs', () => {
    const blocks = [0, 3, 9, 15].map((value) => encryptBlock(value, glweKey));
    const real = [...blocks, blocks.reduce(addBlocks)].map((block) => limbView(block.lwe));
    const random = [1, 2, 3].map((seed) =>
      limbView(randomU64Poly(createRng(seed), keyswitchKey.inputDimension + 1)),
    );
    const inputs = [...real, ...random, ...boundaryInputs(keyswitchKey.inputDimension)];
    inputs.push(new Uint32Array(2 * (keyswitchKey.inputDimension + 1)));
    for (const input of inputs) expect(switched(wasm, input)).toEqual(switched(reference, input));
  });

  it('rounds exactly like the TypeScript modulus switch at ties, wraps and negative bodies', () => {
    const unit = 2 ** 20; // one step of 2N = 4096 on the 32-bit torus
    const cases = [
      // every mask value a tie; body a multiple of the unit (the body itself then sits on a tie)
      [...Array.from({ length: n }, (_, k) => (k * unit + unit / 2) % 2 ** 32), 5 * unit],
      // just below ties (maximal negative rounding errors), body 0: the switched body wraps below 0
      [...Array.from({ length: n }, (_, k) => (k * unit + unit / 2 - 1) % 2 ** 32), 0],
      // values rounding up to 2N (wrap to 0) and exact multiples of the unit
      [...Array.from({ length: n }, (_, k) => (k % 2 ? 2 ** 32 - 1 - k : (k * unit) % 2 ** 32)), 2 ** 32 - 1],
    ];
    for (const target of cases) {
      const { ksk, input } = modSwitchCase(target);
      expect(switched(createWasmKeyswitcher(ksk), input)).toEqual(
        switched(createTypeScriptKeyswitcher(ksk), input),
      );
    }
  });

  it('gives identical results from an instance attached to the shared KSK and from a worker thread', async () => {
    const input = limbView(encryptBlock(6, glweKey).lwe);
    const expected = switched(reference, input);
    const shared = sharedKeyswitchKeyOf(wasm);
    expect(switched(attachWasmKeyswitcher(shared), input)).toEqual(expected);
    // a second keyswitcher over the same key object reuses its wasm copy
    expect(sharedKeyswitchKeyOf(createWasmKeyswitcher(keyswitchKey)).memory).toBe(shared.memory);
    const worker = startKeyswitchWorker(shared);
    try {
      expect(await worker.run(input)).toEqual(expected);
    } finally {
      await worker.terminate();
    }
  });

  it('runs a full KS+PBS that node-tfhe decrypts, bit-identical to the TypeScript keyswitch path', () => {
    const { clientKey, evaluationKeys } = fixture;
    const value = 0b10_01_11_00;
    const ciphertext = encryptWithClientKey(FheType.Uint8, BigInt(value), clientKey);
    const { blocks } = decodeValue(ciphertext);
    const lut = lutOf((x) => (x + 1) % 4);
    const bootstrapper = new Bootstrapper(evaluationKeys, createWasmBlindRotator, createWasmKeyswitcher);
    const withTypeScriptKeyswitch = new Bootstrapper(
      evaluationKeys,
      createWasmBlindRotator,
      createTypeScriptKeyswitcher,
    );
    const outputs = blocks.map((block) => bootstrapper.bootstrap(block.lwe, lut));
    expect(outputs).toEqual(blocks.map((block) => withTypeScriptKeyswitch.bootstrap(block.lwe, lut)));
    const result = encodeValue('FheUint', {
      blocks: outputs.map((lwe) => ({ lwe, degree: 3, noiseLevel: 1 })),
    });
    // each 2-bit digit incremented mod 4: (0, 3, 1, 2) -> (1, 0, 2, 3)
    expect(decryptWithClientKey(FheType.Uint8, result, clientKey)).toBe(BigInt(0b11_10_00_01));
  });

  it('rejects inputs and keys of the wrong size', () => {
    expect(() => wasm.run(new Uint32Array(10), new Uint32Array(n))).toThrow(RangeError);
    expect(() =>
      wasm.run(new Uint32Array(2 * (keyswitchKey.inputDimension + 1)), new Uint32Array(n - 1)),
    ).toThrow(RangeError);
    expect(() =>
      createWasmKeyswitcher({ inputDimension: 2, rows: new Int32Array(LEVELS * (n + 1)) }),
    ).toThrow(RangeError);
    expect(() => sharedKeyswitchKeyOf(reference)).toThrow(TypeError);
  });
});
