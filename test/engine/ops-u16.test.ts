import { describe } from 'vitest';
import { FheType } from '../../src/fhevm/fhe-types.js';
import { FheOp } from '../../src/fhevm/operations.js';
import { binaryOpTests, selectTests } from './op-cases.js';

const U16 = FheType.Uint16;

describe('euint16 ops (node-tfhe oracle)', () => {
  binaryOpTests(U16, [
    { op: FheOp.Add, a: 0xfff0n, b: 0x0123n },
    { op: FheOp.Sub, a: 0x0100n, b: 0x0101n },
    { op: FheOp.Ge, a: 0x8000n, b: 0x7fffn },
    { op: FheOp.Eq, a: 0xbeefn, b: 0xbeefn },
    { op: FheOp.Lt, a: 0xbeefn, b: 0xbef0n, scalar: true },
    { op: FheOp.BitXor, a: 0x1234n, b: 0xff00n, scalar: true },
  ]);
  selectTests(U16, [[1n, 0xabcdn, 0x1234n]]);
});
