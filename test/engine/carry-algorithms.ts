import { randomInt } from 'node:crypto';
import { expect, it } from 'vitest';
import { createEvaluator, type Evaluator } from '../../src/engine/create-evaluator.js';
import type { AlgorithmChoice } from '../../src/engine/radix/block-evaluator.js';
import { bitsOf, FheType, nameOf } from '../../src/fhevm/fhe-types.js';
import { FheOp, opName } from '../../src/fhevm/operations.js';
import { plaintextResult } from '../../src/fhevm/plaintext-semantics.js';
import { computeWithOracle, engineFixture, type TestOperand } from './engine-fixture.js';
import { maxOf } from './op-cases.js';

/** The ops whose carry chain (or column sums, for mul) has a sequential and a parallel algorithm. */
const CASE_OPS = [FheOp.Add, FheOp.Sub, FheOp.Ge, FheOp.Lt, FheOp.Min, FheOp.Max] as const;
const BOOLEAN = new Set<FheOp>([FheOp.Ge, FheOp.Gt, FheOp.Le, FheOp.Lt]);

const evaluators = new Map<AlgorithmChoice, Evaluator>();
/** The fixture's keys on an evaluator forced to one algorithm (independent of this machine's cores). */
function forced(algorithm: AlgorithmChoice): Evaluator {
  let evaluator = evaluators.get(algorithm);
  if (!evaluator) {
    evaluator = createEvaluator({ evaluationKeys: engineFixture().evaluationKeys, algorithm });
    evaluators.set(algorithm, evaluator);
  }
  return evaluator;
}

function randomValue(type: FheType): bigint {
  let v = 0n;
  for (let i = 0; i < bitsOf(type); i += 16) v = (v << 16n) | BigInt(randomInt(1 << 16));
  return v & maxOf(type);
}

interface Case {
  op: FheOp;
  operands: TestOperand[];
  /** Plaintext operands for the expected value. */
  values: bigint[];
}

/**
 * Carries across every block (max + 1, 0 − 1, −1, max vs max − 1, max × max) and random operands, for the ops
 * with two carry algorithms, each run with `algorithm` forced: node-tfhe decrypts the result.
 */
export function carryAlgorithmTests(
  type: FheType,
  algorithm: AlgorithmChoice,
  options: { randomOps?: readonly FheOp[]; mul?: boolean; timeout?: number } = {},
): void {
  const { randomOps = CASE_OPS, mul = true, timeout } = options;
  const max = maxOf(type);
  const enc = (value: bigint): TestOperand => ({ type, value });
  const cases: Case[] = [
    { op: FheOp.Add, operands: [enc(max), enc(1n)], values: [max, 1n] },
    { op: FheOp.Add, operands: [enc(max), { scalar: 1n }], values: [max, 1n] },
    { op: FheOp.Sub, operands: [enc(0n), enc(1n)], values: [0n, 1n] },
    { op: FheOp.Sub, operands: [enc(0n), { scalar: 1n }], values: [0n, 1n] },
    { op: FheOp.Neg, operands: [enc(1n)], values: [1n] },
    { op: FheOp.Ge, operands: [enc(max - 1n), enc(max)], values: [max - 1n, max] },
    { op: FheOp.Ge, operands: [enc(max), enc(max)], values: [max, max] },
    { op: FheOp.Gt, operands: [enc(max), { scalar: max - 1n }], values: [max, max - 1n] },
  ];
  if (mul) {
    cases.push(
      { op: FheOp.Mul, operands: [enc(max), enc(max)], values: [max, max] },
      { op: FheOp.Mul, operands: [enc(max), { scalar: max }], values: [max, max] },
    );
  }
  for (const op of randomOps) {
    const a = randomValue(type);
    const b = randomValue(type);
    cases.push({ op, operands: [enc(a), enc(b)], values: [a, b] });
  }
  for (const { op, operands, values } of cases) {
    const scalar = operands.some((o) => 'scalar' in o);
    it(
      `${opName(op)}${scalar ? ' scalar' : ''} ${nameOf(type)}(${values.join(', ')}) ${algorithm}`,
      () => {
        const resultType = BOOLEAN.has(op) ? FheType.Bool : type;
        const expected = plaintextResult(op, type, values[0]!, values[1]);
        const result = computeWithOracle(op, resultType, operands, undefined, forced(algorithm));
        expect(result).toEqual({ tfhe: expected, ours: expected });
      },
      timeout,
    );
  }
}
