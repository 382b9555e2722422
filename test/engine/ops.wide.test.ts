import { describe, expect, it } from 'vitest';
import { FheType, nameOf } from '../../src/fhevm/fhe-types.js';
import { FheOp } from '../../src/fhevm/operations.js';
import { computeWithOracle } from './engine-fixture.js';
import { binaryOpTests, maxOf, selectTests, unaryOpTests } from './op-cases.js';

/** Opt-in (`npm run test:wide`): every op family on 32–256-bit types, at wrap-around and extreme values. */
const SLOW = 1_800_000;
for (const type of [FheType.Uint32, FheType.Uint64, FheType.Uint128, FheType.Uint256] as const) {
  const max = maxOf(type);
  const half = 1n << BigInt(Number(max.toString(2).length) - 1);
  const arithmetic = type !== FheType.Uint256;
  describe(`${nameOf(type)} ops (node-tfhe oracle)`, () => {
    binaryOpTests(
      type,
      [
        ...(arithmetic
          ? [
              { op: FheOp.Add, a: max, b: 2n },
              { op: FheOp.Sub, a: 0n, b: max, scalar: true },
              { op: FheOp.Ge, a: half, b: half - 1n },
              { op: FheOp.Lt, a: max - 1n, b: max, scalar: true },
              { op: FheOp.Max, a: half, b: 3n },
              { op: FheOp.Mul, a: max, b: 3n, scalar: true },
              { op: FheOp.Div, a: max - 5n, b: 1000n, scalar: true },
            ]
          : []),
        { op: FheOp.Eq, a: max, b: max },
        { op: FheOp.BitAnd, a: max, b: half + 5n },
        { op: FheOp.Shl, a: max, b: 70n, scalar: true },
        ...(type === FheType.Uint32
          ? [
              { op: FheOp.Mul, a: max - 2n, b: 0x12345n },
              { op: FheOp.Shr, a: max, b: 37n },
            ]
          : []),
      ],
      SLOW,
    );
    unaryOpTests(type, FheOp.Neg, [1n]);
    selectTests(type, [[0n, max, half]]);
  });
}

describe('encrypted shift amounts and euint8 mul (node-tfhe oracle)', () => {
  binaryOpTests(FheType.Uint8, [
    { op: FheOp.Shl, a: 0xb5n, b: 3n },
    { op: FheOp.Rotr, a: 0xb5n, b: 13n },
    { op: FheOp.Mul, a: 13n, b: 21n },
  ]);
  binaryOpTests(FheType.Uint160, [{ op: FheOp.Eq, a: (1n << 160n) - 1n, b: 5n }]);
});

describe('remaining op/type pairs of the fhEVM table (node-tfhe oracle)', () => {
  const U64 = FheType.Uint64;
  binaryOpTests(
    U64,
    [
      { op: FheOp.Ne, a: 5n, b: 5n },
      { op: FheOp.Gt, a: 1n << 63n, b: (1n << 63n) - 1n, scalar: true },
      { op: FheOp.Le, a: 7n, b: 6n },
      { op: FheOp.Min, a: 1n << 40n, b: 3n, scalar: true },
      { op: FheOp.BitOr, a: 0xf0f0n, b: 1n << 62n },
      { op: FheOp.BitXor, a: (1n << 64n) - 1n, b: 0x1234n, scalar: true },
      { op: FheOp.Rotl, a: 0x8000000000000001n, b: 65n, scalar: true },
      { op: FheOp.Shr, a: (1n << 64n) - 1n, b: 63n, scalar: true },
    ],
    SLOW,
  );
  binaryOpTests(FheType.Uint128, [{ op: FheOp.Rem, a: (1n << 128n) - 1n, b: 97n, scalar: true }], SLOW);
  binaryOpTests(FheType.Uint160, [{ op: FheOp.Ne, a: 0xdeadn, b: 0xdeadn, scalar: true }], SLOW);
  selectTests(FheType.Uint160, [[1n, (1n << 160n) - 1n, 0n]]);
  unaryOpTests(FheType.Uint256, FheOp.Not, [1n << 200n]);

  it(
    'casts euint8 → euint256 → euint64 and trivially encrypts euint256',
    () => {
      const U8 = FheType.Uint8;
      const U256 = FheType.Uint256;
      expect(computeWithOracle(FheOp.Cast, U256, [{ type: U8, value: 0xffn }])).toEqual({
        tfhe: 0xffn,
        ours: 0xffn,
      });
      const wide = (1n << 255n) + 0x0123456789abcdefn;
      const low = 0x0123456789abcdefn;
      expect(computeWithOracle(FheOp.Cast, U64, [{ type: U256, value: wide }])).toEqual({
        tfhe: low,
        ours: low,
      });
      expect(computeWithOracle(FheOp.TrivialEncrypt, U256, [{ scalar: wide }])).toEqual({
        tfhe: wide,
        ours: wide,
      });
    },
    SLOW,
  );

  it(
    'draws seed-deterministic euint256 and bounded euint128 random values',
    () => {
      const seed = new Uint8Array(16).fill(42);
      const first = computeWithOracle(FheOp.Rand, FheType.Uint256, [], seed);
      expect(first.tfhe).toBe(first.ours);
      expect(computeWithOracle(FheOp.Rand, FheType.Uint256, [], seed)).toEqual(first);
      const bounded = computeWithOracle(FheOp.RandBounded, FheType.Uint128, [{ scalar: 1n << 100n }], seed);
      expect(bounded.tfhe).toBe(bounded.ours);
      expect(bounded.tfhe < 1n << 100n).toBe(true);
    },
    SLOW,
  );
});
