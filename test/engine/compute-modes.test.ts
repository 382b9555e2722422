import { describe, expect, it } from 'vitest';
import { createCleartextEvaluator } from '../../src/engine/cleartext-evaluator.js';
import type { FheEvaluator, FhevmComputation, FhevmOperand } from '../../src/engine/evaluator.js';
import { createParityEvaluator, type ParityMismatch } from '../../src/engine/parity-evaluator.js';
import { FheType } from '../../src/fhevm/fhe-types.js';
import { FheOp } from '../../src/fhevm/operations.js';
import { plaintextResult } from '../../src/fhevm/plaintext-semantics.js';
import { decryptWithClientKey, encryptWithClientKey } from '../../src/tfhe/client-ciphertexts.js';
import { engineFixture } from './engine-fixture.js';

const { clientKey, secretKeys, evaluator: real } = engineFixture();
const cleartext = createCleartextEvaluator({ glweKey: secretKeys.glweKey });
const enc = (type: FheType, value: bigint): FhevmOperand => ({
  type,
  ciphertext: encryptWithClientKey(type, value, clientKey),
});

describe('cleartext compute mode', () => {
  const U8 = FheType.Uint8;
  const U16 = FheType.Uint16;
  const binaryCases: [FheOp, FheType, bigint, bigint, boolean][] = [
    [FheOp.Add, U8, 200n, 100n, false],
    [FheOp.Sub, U8, 3n, 10n, false],
    [FheOp.Mul, U16, 300n, 300n, false],
    [FheOp.Div, U16, 1000n, 7n, true],
    [FheOp.Rem, U8, 200n, 7n, true],
    [FheOp.BitXor, U8, 0b1100n, 0b1010n, false],
    [FheOp.Shl, U8, 3n, 9n, true],
    [FheOp.Rotr, U16, 1n, 3n, false],
    [FheOp.Ge, U8, 5n, 5n, false],
    [FheOp.Lt, U16, 7n, 6n, true],
    [FheOp.Max, U8, 17n, 250n, false],
    [FheOp.BitAnd, FheType.Bool, 1n, 1n, false],
  ];

  it.each(binaryCases)(
    'op %i on type %i: %i, %i (scalar %s) decrypts, under node-tfhe, to the plaintext result',
    async (op, type, a, b, scalar) => {
      const comparison = op >= FheOp.Eq && op <= FheOp.Lt;
      const resultType = comparison ? FheType.Bool : type;
      const bytes = await cleartext.compute({
        op,
        resultType,
        operands: [enc(type, a), scalar ? { scalar: b } : enc(type, b)],
      });
      expect(decryptWithClientKey(resultType, bytes, clientKey)).toBe(plaintextResult(op, type, a, b));
    },
  );

  it('computes select, cast, trivial encryption and unary ops', async () => {
    const decrypt = async (c: FhevmComputation) =>
      decryptWithClientKey(c.resultType, await cleartext.compute(c), clientKey);
    expect(
      await decrypt({
        op: FheOp.IfThenElse,
        resultType: FheType.Uint16,
        operands: [enc(FheType.Bool, 0n), enc(FheType.Uint16, 1n), enc(FheType.Uint16, 65535n)],
      }),
    ).toBe(65535n);
    expect(
      await decrypt({ op: FheOp.Cast, resultType: FheType.Uint8, operands: [enc(FheType.Uint16, 0x1234n)] }),
    ).toBe(0x34n);
    expect(
      await decrypt({ op: FheOp.Cast, resultType: FheType.Bool, operands: [enc(FheType.Uint8, 4n)] }),
    ).toBe(1n);
    expect(
      await decrypt({ op: FheOp.TrivialEncrypt, resultType: FheType.Uint8, operands: [{ scalar: 0x1ffn }] }),
    ).toBe(0xffn);
    expect(
      await decrypt({ op: FheOp.Neg, resultType: FheType.Uint8, operands: [enc(FheType.Uint8, 1n)] }),
    ).toBe(255n);
    expect(
      await decrypt({ op: FheOp.Not, resultType: FheType.Bool, operands: [enc(FheType.Bool, 1n)] }),
    ).toBe(0n);
  });

  it('draws random values from the seed, within the bound, the same for the same seed', async () => {
    const seed = new Uint8Array(16).fill(7);
    const bounded: FhevmComputation = {
      op: FheOp.RandBounded,
      resultType: FheType.Uint16,
      operands: [{ scalar: 64n }],
      seed,
    };
    const first = decryptWithClientKey(FheType.Uint16, await cleartext.compute(bounded), clientKey);
    expect(first).toBeLessThan(64n);
    expect(decryptWithClientKey(FheType.Uint16, await cleartext.compute(bounded), clientKey)).toBe(first);
  });

  it('stores ciphertexts the real engine computes on correctly', async () => {
    const sum = await cleartext.compute({
      op: FheOp.Add,
      resultType: FheType.Uint8,
      operands: [enc(FheType.Uint8, 40n), enc(FheType.Uint8, 2n)],
    });
    const doubled = real.computeSync({
      op: FheOp.Add,
      resultType: FheType.Uint8,
      operands: [
        { type: FheType.Uint8, ciphertext: sum },
        { type: FheType.Uint8, ciphertext: sum },
      ],
    });
    expect(decryptWithClientKey(FheType.Uint8, doubled, clientKey)).toBe(84n);
  });

  it('refuses an ill-typed computation and a zero divisor with a typed error', async () => {
    await expect(
      cleartext.compute({
        op: FheOp.Add,
        resultType: FheType.Bool,
        operands: [enc(FheType.Bool, 1n), enc(FheType.Bool, 1n)],
      }),
    ).rejects.toMatchObject({ code: 'FHE_INVALID_COMPUTATION' });
    await expect(
      cleartext.compute({
        op: FheOp.Div,
        resultType: FheType.Uint8,
        operands: [enc(FheType.Uint8, 1n), { scalar: 0n }],
      }),
    ).rejects.toMatchObject({ code: 'FHE_INVALID_COMPUTATION' });
  });
});

describe('parity compute mode', () => {
  const computation: FhevmComputation = {
    op: FheOp.Mul,
    resultType: FheType.Uint8,
    operands: [enc(FheType.Uint8, 13n), enc(FheType.Uint8, 11n)],
  };

  it('stores the real result and reports nothing when the engine agrees', async () => {
    const mismatches: ParityMismatch[] = [];
    const parity = createParityEvaluator({ real, oracle: cleartext, onMismatch: (m) => mismatches.push(m) });
    const bytes = await parity.compute(computation);
    expect(decryptWithClientKey(FheType.Uint8, bytes, clientKey)).toBe(143n);
    expect(mismatches).toEqual([]);
  });

  it('reports a wrong engine result with the op, the expected and the actual value', async () => {
    // A broken engine (test double of the piece parity checks): answers 144 whatever it is asked.
    const broken: FheEvaluator = {
      compute: async () => encryptWithClientKey(FheType.Uint8, 144n, clientKey),
      stop: async () => {},
    };
    const mismatches: ParityMismatch[] = [];
    const parity = createParityEvaluator({
      real: broken,
      oracle: cleartext,
      onMismatch: (m) => mismatches.push(m),
    });
    await parity.compute(computation);
    expect(mismatches).toEqual([{ op: 'Mul', resultType: 'euint8', expected: 143n, actual: 144n }]);
  });
});
