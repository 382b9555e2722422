import { describe, expect, it } from 'vitest';
import { FheType } from '../../src/fhevm/fhe-types.js';
import { FheOp } from '../../src/fhevm/operations.js';
import { computeWithOracle } from './engine-fixture.js';
import { binaryOpTests, selectTests, unaryOpTests } from './op-cases.js';

const B = FheType.Bool;
const U8 = FheType.Uint8;

describe('ebool ops (node-tfhe oracle)', () => {
  binaryOpTests(B, [
    { op: FheOp.BitAnd, a: 1n, b: 1n },
    { op: FheOp.BitOr, a: 0n, b: 0n },
    { op: FheOp.BitXor, a: 1n, b: 0n },
    { op: FheOp.Eq, a: 0n, b: 1n },
    { op: FheOp.Ne, a: 1n, b: 1n },
    { op: FheOp.BitAnd, a: 1n, b: 0n, scalar: true },
    { op: FheOp.BitOr, a: 0n, b: 1n, scalar: true },
    { op: FheOp.BitXor, a: 1n, b: 1n, scalar: true },
    { op: FheOp.Eq, a: 1n, b: 1n, scalar: true },
  ]);
  unaryOpTests(B, FheOp.Not, [0n, 1n]);
  selectTests(B, [[1n, 0n, 1n]]);
});

describe('euint8 ops (node-tfhe oracle)', () => {
  binaryOpTests(U8, [
    { op: FheOp.Add, a: 200n, b: 100n },
    { op: FheOp.Add, a: 255n, b: 1n, scalar: true },
    { op: FheOp.Sub, a: 3n, b: 250n },
    { op: FheOp.Sub, a: 0n, b: 1n, scalar: true },
    { op: FheOp.BitAnd, a: 0xa5n, b: 0x3cn },
    { op: FheOp.BitOr, a: 0x81n, b: 0x18n },
    { op: FheOp.BitXor, a: 0xffn, b: 0x0fn },
    { op: FheOp.BitAnd, a: 0xb7n, b: 0xc6n, scalar: true },
    { op: FheOp.BitOr, a: 0x10n, b: 0x2dn, scalar: true },
    { op: FheOp.BitXor, a: 0x5an, b: 0xf1n, scalar: true },
    { op: FheOp.Eq, a: 77n, b: 77n },
    { op: FheOp.Ne, a: 0n, b: 128n },
    { op: FheOp.Ge, a: 77n, b: 77n },
    { op: FheOp.Gt, a: 255n, b: 0n },
    { op: FheOp.Le, a: 129n, b: 128n },
    { op: FheOp.Lt, a: 0n, b: 255n },
    { op: FheOp.Eq, a: 200n, b: 201n, scalar: true },
    { op: FheOp.Ne, a: 200n, b: 200n, scalar: true },
    { op: FheOp.Ge, a: 15n, b: 16n, scalar: true },
    { op: FheOp.Gt, a: 16n, b: 15n, scalar: true },
    { op: FheOp.Le, a: 255n, b: 255n, scalar: true },
    { op: FheOp.Lt, a: 100n, b: 101n, scalar: true },
    { op: FheOp.Min, a: 9n, b: 200n },
    { op: FheOp.Max, a: 255n, b: 254n },
    { op: FheOp.Min, a: 42n, b: 7n, scalar: true },
    { op: FheOp.Max, a: 42n, b: 7n, scalar: true },
  ]);
  unaryOpTests(U8, FheOp.Neg, [0n, 1n]);
  unaryOpTests(U8, FheOp.Not, [0x5an]);
  selectTests(U8, [
    [1n, 255n, 0n],
    [0n, 255n, 3n],
  ]);

  it('casts ebool → euint8 → euint16 → euint8 (zero-extend, truncate)', () => {
    expect(computeWithOracle(FheOp.Cast, U8, [{ type: B, value: 1n }])).toEqual({ tfhe: 1n, ours: 1n });
    expect(computeWithOracle(FheOp.Cast, FheType.Uint16, [{ type: U8, value: 0xc3n }])).toEqual({
      tfhe: 0xc3n,
      ours: 0xc3n,
    });
    expect(computeWithOracle(FheOp.Cast, U8, [{ type: FheType.Uint16, value: 0xbeefn }])).toEqual({
      tfhe: 0xefn,
      ours: 0xefn,
    });
  });

  it('trivially encrypts plaintexts node-tfhe decrypts (truncated to the type)', () => {
    expect(computeWithOracle(FheOp.TrivialEncrypt, U8, [{ scalar: 0x1abn }])).toEqual({
      tfhe: 0xabn,
      ours: 0xabn,
    });
    expect(computeWithOracle(FheOp.TrivialEncrypt, B, [{ scalar: 1n }])).toEqual({ tfhe: 1n, ours: 1n });
  });

  it('draws seed-deterministic random values within the bound', () => {
    const seed = new Uint8Array(16).fill(7);
    const first = computeWithOracle(FheOp.Rand, U8, [], seed);
    expect(first.tfhe).toBe(first.ours);
    expect(computeWithOracle(FheOp.Rand, U8, [], seed)).toEqual(first);
    const draws = [1, 2, 3, 4].map((s) =>
      computeWithOracle(FheOp.RandBounded, U8, [{ scalar: 8n }], new Uint8Array(16).fill(s)),
    );
    for (const d of draws) {
      expect(d.tfhe).toBe(d.ours);
      expect(d.tfhe).toBeLessThan(8n);
    }
    // Other seeds, other values: three equal full-range draws would have probability 2^-16.
    const full = [5, 6].map((s) => computeWithOracle(FheOp.Rand, U8, [], new Uint8Array(16).fill(s)).tfhe);
    expect(new Set([first.tfhe, ...full]).size).toBeGreaterThan(1);
    const bit = computeWithOracle(FheOp.Rand, B, [], seed);
    expect(bit.tfhe).toBe(bit.ours); // our decryption sees the raw block: a value ≥ 2 would differ
  });
});
