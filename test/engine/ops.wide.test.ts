import { describe } from 'vitest';
import { FheOp } from '../../src/engine/fhe-op.js';
import { FheType, nameOf } from '../../src/engine/fhe-type.js';
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
