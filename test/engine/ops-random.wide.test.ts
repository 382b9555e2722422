import { randomBytes } from 'node:crypto';
import { describe } from 'vitest';
import { bitsOf, FheType } from '../../src/fhevm/fhe-types.js';
import { FheOp } from '../../src/fhevm/operations.js';
import { type BinaryCase, binaryOpTests, unaryOpTests } from './op-cases.js';

/** Random operands (fresh each run) for every binary op family, encrypted and scalar rhs. */
const BINARY: { op: FheOp; scalarOnly?: boolean; encryptedOnly?: boolean }[] = [
  { op: FheOp.Add },
  { op: FheOp.Sub },
  { op: FheOp.Mul },
  { op: FheOp.Div, scalarOnly: true },
  { op: FheOp.Rem, scalarOnly: true },
  { op: FheOp.BitAnd },
  { op: FheOp.BitOr },
  { op: FheOp.BitXor },
  { op: FheOp.Shl },
  { op: FheOp.Shr },
  { op: FheOp.Rotl },
  { op: FheOp.Rotr },
  { op: FheOp.Eq },
  { op: FheOp.Ne },
  { op: FheOp.Ge },
  { op: FheOp.Gt },
  { op: FheOp.Le },
  { op: FheOp.Lt },
  { op: FheOp.Min },
  { op: FheOp.Max },
];

function random(bits: number): bigint {
  return BigInt(`0x${randomBytes(Math.ceil(bits / 8)).toString('hex')}`) & ((1n << BigInt(bits)) - 1n);
}

for (const type of [FheType.Uint8, FheType.Uint16] as const) {
  const bits = bitsOf(type);
  describe(`random ${bits}-bit operands`, () => {
    const cases: BinaryCase[] = [];
    for (const { op, scalarOnly } of BINARY) {
      for (const scalar of scalarOnly ? [true] : [false, true]) {
        // Encrypted shifts and u16 mul are slow (hundreds of PBS): one case each.
        const count =
          (op >= FheOp.Shl && op <= FheOp.Rotr && !scalar) || (op === FheOp.Mul && bits > 8) ? 1 : 2;
        for (let k = 0; k < count; k++) {
          let b = random(bits);
          if ((op === FheOp.Div || op === FheOp.Rem) && b === 0n) b = 1n;
          cases.push({ op, a: random(bits), b, scalar });
        }
      }
    }
    binaryOpTests(type, cases);
    unaryOpTests(type, FheOp.Neg, [random(bits)]);
    unaryOpTests(type, FheOp.Not, [random(bits)]);
  });
}
