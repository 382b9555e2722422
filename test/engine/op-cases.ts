import { expect, it } from 'vitest';
import { bitsOf, FheType, nameOf } from '../../src/fhevm/fhe-types.js';
import { FheOp, opName } from '../../src/fhevm/operations.js';
import { plaintextResult } from '../../src/fhevm/plaintext-semantics.js';
import { computeWithOracle } from './engine-fixture.js';

const COMPARISONS = new Set<FheOp>([FheOp.Eq, FheOp.Ne, FheOp.Ge, FheOp.Gt, FheOp.Le, FheOp.Lt]);

/** One binary op case: `scalar` puts b in plaintext (the event's scalarByte = 1). */
export interface BinaryCase {
  op: FheOp;
  a: bigint;
  b: bigint;
  scalar?: boolean;
}

/** Registers one oracle test per case: node-tfhe encrypts, the engine computes, both decryptions must match. */
/** `timeout` (ms) for slow wide cases; the vitest default otherwise. */
export function binaryOpTests(type: FheType, cases: BinaryCase[], timeout?: number): void {
  for (const { op, a, b, scalar = false } of cases) {
    const resultType = COMPARISONS.has(op) ? FheType.Bool : type;
    it(
      `${opName(op)}${scalar ? ' scalar' : ''} ${nameOf(type)}(${a}, ${b})`,
      () => {
        const rhs = scalar ? { scalar: b } : { type, value: b };
        const result = computeWithOracle(op, resultType, [{ type, value: a }, rhs]);
        const expected = plaintextResult(op, type, a, b);
        expect(result).toEqual({ tfhe: expected, ours: expected });
      },
      timeout,
    );
  }
}

export function unaryOpTests(type: FheType, op: FheOp, values: bigint[]): void {
  for (const a of values) {
    it(`${opName(op)} ${nameOf(type)}(${a})`, () => {
      const expected = plaintextResult(op, type, a);
      expect(computeWithOracle(op, type, [{ type, value: a }])).toEqual({ tfhe: expected, ours: expected });
    });
  }
}

export function selectTests(type: FheType, cases: [bigint, bigint, bigint][]): void {
  for (const [c, t, f] of cases) {
    it(`IfThenElse ${nameOf(type)}(${c}, ${t}, ${f})`, () => {
      const expected = plaintextResult(FheOp.IfThenElse, type, c, t, f);
      const result = computeWithOracle(FheOp.IfThenElse, type, [
        { type: FheType.Bool, value: c },
        { type, value: t },
        { type, value: f },
      ]);
      expect(result).toEqual({ tfhe: expected, ours: expected });
    });
  }
}

/** Largest value of a type. */
export function maxOf(type: FheType): bigint {
  return (1n << BigInt(bitsOf(type))) - 1n;
}
