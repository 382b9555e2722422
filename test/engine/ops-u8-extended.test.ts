import { describe, expect, it } from 'vitest';
import { decodeValue, encodeValue } from '../../src/engine/codec/ciphertext-codec.js';
import { isFhekitError } from '../../src/errors.js';
import { FheType } from '../../src/fhevm/fhe-types.js';
import { FheOp } from '../../src/fhevm/operations.js';
import { decryptWithClientKey, encryptWithClientKey } from '../../src/tfhe/client-ciphertexts.js';
import { computeWithOracle, engineFixture } from './engine-fixture.js';
import { binaryOpTests } from './op-cases.js';

const U8 = FheType.Uint8;

describe('euint8 mul, shifts, rotations, scalar div/rem (node-tfhe oracle)', () => {
  binaryOpTests(U8, [
    { op: FheOp.Mul, a: 255n, b: 255n },
    { op: FheOp.Mul, a: 201n, b: 100n, scalar: true },
    { op: FheOp.Shl, a: 0xb5n, b: 3n, scalar: true },
    { op: FheOp.Shr, a: 0xb5n, b: 13n, scalar: true },
    { op: FheOp.Rotl, a: 0xb5n, b: 7n, scalar: true },
    { op: FheOp.Rotr, a: 0xb5n, b: 2n, scalar: true },
    { op: FheOp.Div, a: 200n, b: 7n, scalar: true },
    { op: FheOp.Rem, a: 255n, b: 10n, scalar: true },
    { op: FheOp.Div, a: 255n, b: 16n, scalar: true },
  ]);

  it('accepts operands with unpropagated carries (degree > 3) by propagating them first', () => {
    const { evaluator, clientKey } = engineFixture();
    const a = decodeValue(encryptWithClientKey(U8, 100n, clientKey));
    const b = decodeValue(encryptWithClientKey(U8, 157n, clientKey));
    const blocks = a.blocks.map((x, i) => {
      const y = b.blocks[i]!;
      return { lwe: x.lwe.map((v, j) => v + y.lwe[j]!), degree: x.degree + y.degree, noiseLevel: 2 };
    });
    const lazySum = encodeValue('FheUint', { blocks });
    const bytes = evaluator.computeSync({
      op: FheOp.Sub,
      resultType: U8,
      operands: [{ type: U8, ciphertext: lazySum }, { scalar: 1n }],
    });
    expect(decryptWithClientKey(U8, bytes, clientKey)).toBe(0n); // (100 + 157 - 1) mod 256
  });

  it('rejects division by a plaintext zero with FHE_DIVISION_BY_ZERO', () => {
    const error = catchError(() =>
      computeWithOracle(FheOp.Div, U8, [{ type: U8, value: 5n }, { scalar: 0n }]),
    );
    expect(isFhekitError(error) && error.code).toBe('FHE_DIVISION_BY_ZERO');
  });

  it('rejects ciphertexts whose bytes do not hold the declared type, and unsupported op/type pairs', () => {
    const { evaluator, clientKey } = engineFixture();
    const u8 = encryptWithClientKey(U8, 1n, clientKey);
    const mismatch = catchError(() =>
      evaluator.computeSync({
        op: FheOp.Add,
        resultType: FheType.Uint16,
        operands: [{ type: FheType.Uint16, ciphertext: u8 }, { scalar: 1n }],
      }),
    );
    expect(isFhekitError(mismatch) && mismatch.code).toBe('FHE_CIPHERTEXT_TYPE_MISMATCH');
    const boolAdd = catchError(() =>
      computeWithOracle(FheOp.Add, FheType.Bool, [{ type: FheType.Bool, value: 1n }, { scalar: 1n }]),
    );
    expect(isFhekitError(boolAdd) && boolAdd.code).toBe('FHE_INVALID_COMPUTATION');
  });
});

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}
