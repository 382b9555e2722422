import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeValue, encodeValue } from '../../../src/engine/codec/ciphertext-codec.js';
import { createEvaluator } from '../../../src/engine/create-evaluator.js';
import { decryptBlock } from '../../../src/engine/decrypt.js';
import type { KeyswitchKey } from '../../../src/engine/evaluation-keys.js';
import { selectKernels } from '../../../src/engine/kernels.js';
import { limbView } from '../../../src/engine/math/torus.js';
import { nativeAddon, nativeAddonUnavailableReason } from '../../../src/engine/native/native-addon.js';
import {
  attachNativeBlindRotator,
  createNativeBlindRotator,
  sharedNativeBskOf,
} from '../../../src/engine/native/native-blind-rotator.js';
import { createNativeKeyswitcher } from '../../../src/engine/native/native-keyswitcher.js';
import { PARAMS } from '../../../src/engine/params.js';
import { createTypeScriptBlindRotator } from '../../../src/engine/pbs/blind-rotate.js';
import { Bootstrapper } from '../../../src/engine/pbs/bootstrap.js';
import { createTypeScriptKeyswitcher, type Keyswitcher } from '../../../src/engine/pbs/keyswitch-kernel.js';
import { lutOf } from '../../../src/engine/pbs/lut.js';
import { createPooledEvaluator } from '../../../src/engine/pool/pooled-evaluator.js';
import { addBlocks } from '../../../src/engine/radix/block-ops.js';
import { encryptBlock } from '../../../src/engine/secret-key-encryption.js';
import { createWasmBlindRotator } from '../../../src/engine/wasm/wasm-blind-rotator.js';
import { createWasmKeyswitcher } from '../../../src/engine/wasm/wasm-keyswitcher.js';
import { FheType } from '../../../src/fhevm/fhe-types.js';
import { FheOp } from '../../../src/fhevm/operations.js';
import { decryptWithClientKey, encryptWithClientKey } from '../../../src/tfhe/client-ciphertexts.js';
import { engineFixture, evaluationKeyBlob } from '../engine-fixture.js';
import { measurePbsErrorRate, switchedStdBound } from '../pbs-error-rate.js';
import { createRng, randomU64Poly } from '../wasm/exact-glwe.js';

const n = PARAMS.smallDimension;
const N = PARAMS.polynomialSize;
const ROTATION = { n, N, baseLog: PARAMS.pbsBaseLog, level: 1 };
const missing = nativeAddonUnavailableReason();

function switched(keyswitcher: Keyswitcher, input: Uint32Array): { mask: Uint32Array; body: number } {
  const mask = new Uint32Array(n);
  return { body: keyswitcher.run(input, mask), mask };
}

/** Mask high words on digit and rounding boundaries (carries, wrap, −base/2 digits), body low words on the rounding bit. */
function boundaryInputs(inputDimension: number): Uint32Array[] {
  const highs = [
    0x00007fff, 0x00008000, 0x7fff8000, 0x80000000, 0xffff7fff, 0xffff8000, 0xffffffff, 0x00078000,
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

/** Largest centered difference of two torus vectors, in bits (0 when equal). */
function differenceBits(
  a: readonly bigint[] | BigUint64Array,
  b: readonly bigint[] | BigUint64Array,
): number {
  let max = 0n;
  for (let j = 0; j < a.length; j++) {
    const d = BigInt.asIntN(64, a[j]! - b[j]!);
    if ((d < 0n ? -d : d) > max) max = d < 0n ? -d : d;
  }
  return max === 0n ? 0 : Math.log2(Number(max));
}

/** Boundary rotations: 1, N − 1, N (negation), N + 1, 2N − 1 (0 is skipped by every kernel). */
const ROTATIONS = [1, N - 1, N, N + 1, 2 * N - 1];

describe.skipIf(missing !== undefined)(
  `native kernels${missing === undefined ? ` (${nativeAddon()?.kernel()})` : ` (skipped: ${missing})`}`,
  () => {
    const fixture = engineFixture();
    const { keyswitchKey } = fixture.evaluationKeys;
    const { glweKey } = fixture.secretKeys;

    it('keyswitches bit-identically to the TypeScript and wasm kernels: real encryptions, random and boundary inputs', () => {
      const reference = createTypeScriptKeyswitcher(keyswitchKey);
      const wasm = createWasmKeyswitcher(keyswitchKey);
      const native = createNativeKeyswitcher(keyswitchKey);
      const blocks = [0, 3, 9, 15].map((value) => encryptBlock(value, glweKey));
      const inputs = [
        ...[...blocks, blocks.reduce(addBlocks)].map((block) => limbView(block.lwe)),
        ...[1, 2].map((seed) => limbView(randomU64Poly(createRng(seed), keyswitchKey.inputDimension + 1))),
        ...boundaryInputs(keyswitchKey.inputDimension),
        new Uint32Array(2 * (keyswitchKey.inputDimension + 1)),
      ];
      for (const input of inputs) {
        const expected = switched(reference, input);
        expect(switched(native, input)).toEqual(expected);
        expect(switched(wasm, input)).toEqual(expected);
      }
    });

    it('rounds the modulus switch like the TypeScript kernel at ties, wraps and negative bodies', () => {
      const unit = 2 ** 20;
      const cases = [
        [...Array.from({ length: n }, (_, k) => (k * unit + unit / 2) % 2 ** 32), 5 * unit],
        [...Array.from({ length: n }, (_, k) => (k * unit + unit / 2 - 1) % 2 ** 32), 0],
        [
          ...Array.from({ length: n }, (_, k) => (k % 2 ? 2 ** 32 - 1 - k : (k * unit) % 2 ** 32)),
          2 ** 32 - 1,
        ],
      ];
      for (const target of cases) {
        // One input coefficient with digits (0, 0, 0, 1): the keyswitched LWE is exactly −(last row).
        const rows = new Int32Array(PARAMS.ksLevel * (n + 1));
        target.forEach((value, k) => {
          rows[(PARAMS.ksLevel - 1) * (n + 1) + k] = -value | 0;
        });
        const ksk: KeyswitchKey = { inputDimension: 1, rows };
        const input = Uint32Array.of(0, 1 << 16, 0, 0);
        expect(switched(createNativeKeyswitcher(ksk), input)).toEqual(
          switched(createTypeScriptKeyswitcher(ksk), input),
        );
      }
    });

    it('does each external product like the wasm kernel up to FFT rounding, at every boundary rotation', () => {
      // One external product with a random 64-bit GGSW: products reach ~2^90, so both kernels' f64 FFT
      // rounding shows (a few ulps of 2^90, ~2^38–2^41). Over many steps a rounding difference flips digits and the outputs diverge,
      // so longer rotations are compared through real bootstraps below.
      const rng = createRng(7);
      const params = { ...ROTATION, n: 1 };
      const bsk = randomU64Poly(rng, 4 * N);
      const acc = randomU64Poly(rng, 2 * N);
      for (const rotation of [0, ...ROTATIONS]) {
        const mask = Uint32Array.of(rotation);
        const native = createNativeBlindRotator(bsk, params).rotate(acc, mask);
        const wasm = createWasmBlindRotator(bsk, params).rotate(acc, mask);
        expect(differenceBits(native, wasm)).toBeLessThan(44);
        if (rotation === 0) expect(differenceBits(native, acc)).toBe(0);
      }
    });

    it('bootstraps real encryptions into ciphertexts node-tfhe decrypts like the wasm and TypeScript kernels do', () => {
      const { clientKey, evaluationKeys } = fixture;
      const value = 0b10_01_11_00;
      const { blocks } = decodeValue(encryptWithClientKey(FheType.Uint8, BigInt(value), clientKey));
      const lut = lutOf((x) => (x + 1) % 4);
      const decrypt = (bootstrapper: Bootstrapper) => {
        const outputs = blocks.map((block) => bootstrapper.bootstrap(block.lwe, lut));
        const bytes = encodeValue('FheUint', {
          blocks: outputs.map((lwe) => ({ lwe, degree: 3, noiseLevel: 1 })),
        });
        return decryptWithClientKey(FheType.Uint8, bytes, clientKey);
      };
      const expected = BigInt(0b11_10_00_01);
      const native = new Bootstrapper(evaluationKeys, createNativeBlindRotator, createNativeKeyswitcher);
      expect(decrypt(native)).toBe(expected);
      expect(decrypt(new Bootstrapper(evaluationKeys, createWasmBlindRotator, createWasmKeyswitcher))).toBe(
        expected,
      );
      expect(
        decrypt(new Bootstrapper(evaluationKeys, createTypeScriptBlindRotator, createTypeScriptKeyswitcher)),
      ).toBe(expected);
      // Every block value through a non-trivial LUT, and both outputs of a two-LUT rotation.
      const f = (x: number) => (x * 7 + 3) % 16;
      for (let x = 0; x < 16; x++) {
        const lwe = native.bootstrap(encryptBlock(x, glweKey).lwe, lutOf(f));
        expect(decryptBlock({ lwe, degree: 15, noiseLevel: 1 }, glweKey)).toBe(f(x));
      }
      const [low, high] = native.bootstrapPair(
        encryptBlock(6, glweKey).lwe,
        lutOf((v) => (v < 8 ? v % 4 : Math.floor((v - 8) / 4))),
      );
      expect(decryptBlock({ lwe: low, degree: 3, noiseLevel: 1 }, glweKey)).toBe(2);
      expect(decryptBlock({ lwe: high, degree: 1, noiseLevel: 1 }, glweKey)).toBe(1);
    });

    it('keeps the failure rate within the parameter set at max noise level (100 PBS; wide suite runs more)', () => {
      const report = measurePbsErrorRate(fixture, 100, createNativeBlindRotator, createNativeKeyswitcher);
      console.log('PBS error rate (native):', JSON.stringify(report));
      expect(report.failures).toBe(0);
      expect(report.switchedErrorStd).toBeLessThan(switchedStdBound(100));
    });

    it('shares one Fourier BSK across rotators without a copy, and runs the same in every instruction-set variant', () => {
      const rng = createRng(3);
      const bsk = randomU64Poly(rng, 4 * N);
      const acc = randomU64Poly(rng, 2 * N);
      const rotator = createNativeBlindRotator(bsk, { ...ROTATION, n: 1 });
      const shared = sharedNativeBskOf(rotator);
      expect(shared.fourier.buffer).toBeInstanceOf(SharedArrayBuffer);
      const attached = attachNativeBlindRotator(shared);
      const expected = ROTATIONS.flatMap((r) => [...rotator.rotate(acc, Uint32Array.of(r))]);
      expect(ROTATIONS.flatMap((r) => [...attached.rotate(acc, Uint32Array.of(r))])).toEqual(expected);
      // Another process forces each variant (FHEKIT_NATIVE_ISA; one the CPU lacks falls back to the best)
      // on the same inputs: they differ only by FFT rounding (FMA or not).
      const script = fileURLToPath(new URL('./isa-variant.ts', import.meta.url));
      for (const isa of ['avx512f', 'avx2+fma', 'portable']) {
        const [ran, ...words] = execFileSync(process.execPath, ['--import', 'tsx', script], {
          env: { ...process.env, FHEKIT_NATIVE_ISA: isa },
          encoding: 'utf8',
        })
          .trim()
          .split(' ');
        expect(['avx512f', 'avx2+fma', 'portable']).toContain(ran);
        const out = words.map((w) => BigInt(w));
        expect(out).toHaveLength(expected.length);
        expect(differenceBits(out, expected)).toBeLessThan(44);
      }
    });

    it('rotates an accumulator at every alignment alike, in place (the addon copies a misaligned one)', () => {
      const rng = createRng(5);
      const params = { ...ROTATION, n: 3 };
      const shared = sharedNativeBskOf(createNativeBlindRotator(randomU64Poly(rng, 3 * 4 * N), params));
      const acc = randomU64Poly(rng, 2 * N);
      const mask = Uint32Array.of(5, 2 * N - 1, N + 3);
      const addon = nativeAddon()!;
      // Offsets 0..7 u64 cover every address mod 64: at most one of them is 64-byte aligned.
      const rotated = [0, 1, 2, 3, 4, 5, 6, 7].map((offset) => {
        const view = new BigUint64Array(2 * N + 8).subarray(offset, offset + 2 * N);
        view.set(acc);
        addon.blindRotate(shared.fourier, view, mask, params.n, N, params.baseLog);
        return [...view];
      });
      expect(rotated[0]).not.toEqual([...acc]);
      for (const out of rotated) expect(out).toEqual(rotated[0]);
    });

    it('rejects wrong sizes, out-of-range rotations and a missing kernel choice with clear errors', () => {
      const rotator = createNativeBlindRotator(new BigUint64Array(n * 4 * N), ROTATION);
      expect(() => rotator.rotate(new BigUint64Array(2 * N), new Uint32Array(n - 1))).toThrow(RangeError);
      expect(() => rotator.rotate(new BigUint64Array(2 * N), new Uint32Array(n).fill(2 * N))).toThrow(
        /outside \[0, 2N\)/,
      );
      expect(() => createNativeBlindRotator(new BigUint64Array(10), ROTATION)).toThrow(RangeError);
      expect(() =>
        createNativeBlindRotator(new BigUint64Array(4 * 32), { ...ROTATION, n: 1, N: 32 }),
      ).toThrow(RangeError);
      const native = createNativeKeyswitcher(keyswitchKey);
      expect(() => native.run(new Uint32Array(10), new Uint32Array(n))).toThrow(RangeError);
      expect(() => createNativeKeyswitcher({ inputDimension: 2, rows: new Int32Array(10) })).toThrow(
        RangeError,
      );
      expect(() => selectKernels('gpu')).toThrow(expect.objectContaining({ code: 'FHE_KERNEL_INVALID' }));
      expect(selectKernels('native').label).toBe(`native-${nativeAddon()!.kernel()}`);
      expect(selectKernels('wasm').label).toBe('wasm-simd128');
    });

    it('computes full ops on a 2-thread pool with FHE_KERNEL=native and reports the kernel', async () => {
      const pool = await createPooledEvaluator({
        evaluationKeys: evaluationKeyBlob(),
        threads: 2,
        kernel: 'native',
      });
      try {
        expect(pool.kernel).toBe(`native-${nativeAddon()!.kernel()}`);
        const encrypt = (type: FheType, v: bigint) => ({
          type,
          ciphertext: encryptWithClientKey(type, v, fixture.clientKey),
        });
        const [sum, chosen] = await Promise.all([
          pool.compute({
            op: FheOp.Add,
            resultType: FheType.Uint8,
            operands: [encrypt(FheType.Uint8, 250n), encrypt(FheType.Uint8, 9n)],
          }),
          pool.compute({
            op: FheOp.IfThenElse,
            resultType: FheType.Uint16,
            operands: [
              encrypt(FheType.Bool, 0n),
              encrypt(FheType.Uint16, 1234n),
              encrypt(FheType.Uint16, 65535n),
            ],
          }),
        ]);
        expect(decryptWithClientKey(FheType.Uint8, sum, fixture.clientKey)).toBe(3n);
        expect(decryptWithClientKey(FheType.Uint16, chosen, fixture.clientKey)).toBe(65535n);
      } finally {
        await pool.stop();
      }
    });

    it('computes a full op in-process with the kernels FHE_KERNEL selects and reports them', () => {
      const evaluator = createEvaluator({ evaluationKeys: fixture.evaluationKeys });
      expect(evaluator.kernel).toBe(selectKernels().label);
      const encrypt = (v: bigint) => ({
        type: FheType.Uint8,
        ciphertext: encryptWithClientKey(FheType.Uint8, v, fixture.clientKey),
      });
      const sum = evaluator.computeSync({
        op: FheOp.Add,
        resultType: FheType.Uint8,
        operands: [encrypt(200n), encrypt(77n)],
      });
      expect(decryptWithClientKey(FheType.Uint8, sum, fixture.clientKey)).toBe(21n);
    });
  },
);
