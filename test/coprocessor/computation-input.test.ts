import { describe, expect, it } from 'vitest';
import {
  decodeScalarOperand,
  decodeTrivialPlaintext,
  toFhevmComputation,
} from '../../src/coprocessor/computation-input.js';
import type { NewComputation, StoredCiphertext } from '../../src/coprocessor/store.js';
import { FheType } from '../../src/fhevm/fhe-types.js';
import { FheOp } from '../../src/fhevm/operations.js';
import { handle, hash32, scalar32 } from './helpers.js';

describe('scalar decoding (docs/fhevm-protocol.md §Plaintext semantics)', () => {
  it('keeps the least-significant bytes of the big-endian word, to the lhs width', () => {
    expect(decodeScalarOperand(scalar32(0x1207n), FheType.Uint8)).toBe(0x07n);
    expect(decodeScalarOperand(scalar32(0xabcdef01n), FheType.Uint16)).toBe(0xef01n);
    expect(decodeScalarOperand(scalar32(2n ** 256n - 1n), FheType.Uint64)).toBe(2n ** 64n - 1n);
    expect(decodeScalarOperand(scalar32(2n ** 255n + 5n), FheType.Uint256)).toBe(2n ** 255n + 5n);
  });

  it('reads a Bool lhs scalar as true iff any byte is non-zero', () => {
    expect(decodeScalarOperand(scalar32(0n), FheType.Bool)).toBe(0n);
    expect(decodeScalarOperand(scalar32(0x100n), FheType.Bool)).toBe(1n);
    expect(decodeScalarOperand(scalar32(2n ** 255n), FheType.Bool)).toBe(1n);
  });

  it('reads a Bool trivial encryption from the last byte only', () => {
    expect(decodeTrivialPlaintext(scalar32(0x100n), FheType.Bool)).toBe(0n);
    expect(decodeTrivialPlaintext(scalar32(0x101n), FheType.Bool)).toBe(1n);
    expect(decodeTrivialPlaintext(scalar32(300n), FheType.Uint8)).toBe(44n);
  });
});

describe('toFhevmComputation', () => {
  const lhs: StoredCiphertext = {
    handle: handle(1, FheType.Bool),
    type: FheType.Bool,
    bytes: new Uint8Array([7]),
    computedInCleartext: false,
    txHash: null,
    blockNumber: null,
    inputBlobHash: null,
    inputIndex: null,
  };
  const base = { txHash: hash32(1), isScalar: true, seed: null, blockNumber: 1, logIndex: 0 };

  it('passes ciphertexts with their stored type and decodes the scalar against the lhs type', () => {
    const computation: NewComputation = {
      ...base,
      outputHandle: handle(2, FheType.Bool),
      op: FheOp.BitXor,
      resultType: FheType.Bool,
      operands: [{ handle: lhs.handle }, { scalar: scalar32(0x200n) }],
    };
    expect(toFhevmComputation(computation, new Map([[lhs.handle, lhs]]))).toEqual({
      op: FheOp.BitXor,
      resultType: FheType.Bool,
      operands: [{ ciphertext: lhs.bytes, type: FheType.Bool }, { scalar: 1n }],
    });
  });

  it('hands RandBounded the full upper bound and the 16-byte seed', () => {
    const computation: NewComputation = {
      ...base,
      outputHandle: handle(3, FheType.Uint8),
      op: FheOp.RandBounded,
      resultType: FheType.Uint8,
      operands: [{ scalar: scalar32(256n) }],
      seed: '0x000102030405060708090a0b0c0d0e0f',
    };
    const input = toFhevmComputation(computation, new Map());
    expect(input.operands).toEqual([{ scalar: 256n }]);
    expect([...input.seed!]).toEqual([...Array(16).keys()]);
  });
});
