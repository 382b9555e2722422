import { FhekitError } from '../errors.js';
import { bitsOf, blocksOf, FheType, nameOf } from '../fhevm/fhe-types.js';
import { FheOp, opName, supportedTypes } from '../fhevm/operations.js';
import type { Block, RadixCiphertext } from './block.js';
import { add, addScalar, neg, normalize, sub, subScalar, trivialRadix } from './radix/arithmetic.js';
import { type BitOp, bitwise, bitwiseScalar, not } from './radix/bitwise.js';
import type { BlockEvaluator } from './radix/block-evaluator.js';
import { resize } from './radix/cast.js';
import { booleanNot, equal, equalScalar, greaterOrEqual, greaterOrEqualScalar } from './radix/comparison.js';
import { divRemScalar } from './radix/division.js';
import { mul, mulScalar } from './radix/multiply.js';
import { obliviousRandom } from './radix/oblivious-random.js';
import { select, selectScalarElse } from './radix/select.js';
import { type ShiftKind, shiftEncrypted, shiftScalar } from './radix/shift.js';

/** A decoded operand: an encrypted value of a known fhEVM type, or a plaintext (already width-truncated). */
export type Operand = { value: RadixCiphertext; type: FheType } | { scalar: bigint };

/**
 * Runs one fhEVM operation on decoded operands and returns the result value of `resultType`.
 * Operand arity and types are validated here, so a malformed computation is a FhekitError, not a crash.
 */
export function computeOp(
  ev: BlockEvaluator,
  op: FheOp,
  resultType: FheType,
  operands: Operand[],
  seed?: Uint8Array,
): RadixCiphertext {
  // Ciphertexts from other producers may carry unpropagated carries; every op assumes carry-free blocks.
  operands = operands.map((o) => ('value' in o ? { ...o, value: normalize(ev, o.value) } : o));
  switch (op) {
    case FheOp.Add:
    case FheOp.Sub:
    case FheOp.Mul:
    case FheOp.Div:
    case FheOp.Rem:
    case FheOp.Shl:
    case FheOp.Shr:
    case FheOp.Rotl:
    case FheOp.Rotr:
    case FheOp.BitAnd:
    case FheOp.BitOr:
    case FheOp.BitXor:
    case FheOp.Eq:
    case FheOp.Ne:
    case FheOp.Ge:
    case FheOp.Gt:
    case FheOp.Le:
    case FheOp.Lt:
    case FheOp.Min:
    case FheOp.Max:
      return binary(ev, op, operands);
    case FheOp.Neg:
    case FheOp.Not: {
      const [a] = encryptedOperands(op, operands, 1);
      checkSupported(op, a.type);
      return op === FheOp.Neg ? neg(ev, a.value) : not(a.value, onesOf(a.type));
    }
    case FheOp.IfThenElse: {
      const [control, ifTrue, ifFalse] = encryptedOperands(op, operands, 3);
      if (control.type !== FheType.Bool) invalid(op, 'the control operand must be ebool');
      checkSupported(op, ifTrue.type);
      if (ifFalse.type !== ifTrue.type) invalid(op, 'both branches must have the same type');
      return select(ev, control.value.blocks[0]!, ifTrue.value, ifFalse.value);
    }
    case FheOp.Cast: {
      const [a] = encryptedOperands(op, operands, 1);
      checkSupported(op, a.type);
      if (resultType === FheType.Bool) return { blocks: [booleanNot(equalScalar(ev, a.value, 0n))] };
      return resize(a.value, blocksOf(resultType));
    }
    case FheOp.TrivialEncrypt: {
      const [operand] = operands;
      if (operands.length !== 1 || operand === undefined || !('scalar' in operand)) {
        return invalid(op, 'expects one plaintext operand');
      }
      const value = operand.scalar & ((1n << BigInt(bitsOf(resultType))) - 1n);
      return trivialRadix(value, blocksOf(resultType));
    }
    case FheOp.Rand:
    case FheOp.RandBounded: {
      checkSupported(op, resultType);
      if (seed === undefined || seed.length !== 16) invalid(op, 'needs the 16-byte seed of the event');
      let bits = bitsOf(resultType);
      if (op === FheOp.RandBounded) {
        const [bound] = operands;
        if (operands.length !== 1 || bound === undefined || !('scalar' in bound)) {
          return invalid(op, 'expects the upper bound as a plaintext operand');
        }
        // A bound of 2^bits truncated to the type width arrives as 0: the full range.
        if (bound.scalar !== 0n) {
          if ((bound.scalar & (bound.scalar - 1n)) !== 0n)
            invalid(op, 'the upper bound must be a power of two');
          bits = Math.min(bits, bound.scalar.toString(2).length - 1);
        }
      }
      return obliviousRandom(ev, seed, bits, blocksOf(resultType));
    }
    default:
      throw new FhekitError('FHE_OP_UNSUPPORTED', `Unknown fhEVM op code ${op}.`, {
        hint: 'See the op table in src/engine/README.md.',
      });
  }
}

function binary(ev: BlockEvaluator, op: FheOp, operands: Operand[]): RadixCiphertext {
  const [lhs, rhs] = operands;
  if (operands.length !== 2 || lhs === undefined || rhs === undefined || !('value' in lhs)) {
    return invalid(op, 'expects an encrypted lhs and one rhs');
  }
  checkSupported(op, lhs.type);
  const a = lhs.value;
  const bool = (bit: Block): RadixCiphertext => ({ blocks: [bit] });
  if ('scalar' in rhs) {
    const m = rhs.scalar;
    switch (op) {
      case FheOp.Add:
        return addScalar(ev, a, m);
      case FheOp.Sub:
        return subScalar(ev, a, m);
      case FheOp.Mul:
        return mulScalar(ev, a, m);
      case FheOp.Div:
        return divRemScalar(ev, a, m, 'quotient');
      case FheOp.Rem:
        return divRemScalar(ev, a, m, 'remainder');
      case FheOp.Shl:
      case FheOp.Shr:
      case FheOp.Rotl:
      case FheOp.Rotr:
        return shiftScalar(ev, SHIFTS[op]!, a, m);
      case FheOp.BitAnd:
        return bitwiseScalar(ev, 'and', a, m, onesOf(lhs.type));
      case FheOp.BitOr:
        return bitwiseScalar(ev, 'or', a, m, onesOf(lhs.type));
      case FheOp.BitXor:
        return bitwiseScalar(ev, 'xor', a, m, onesOf(lhs.type));
      case FheOp.Eq:
        return bool(equalScalar(ev, a, m));
      case FheOp.Ne:
        return bool(booleanNot(equalScalar(ev, a, m)));
      case FheOp.Ge:
        return bool(greaterOrEqualScalar(ev, a, m));
      case FheOp.Gt:
        return bool(greaterOrEqualScalar(ev, a, m + 1n));
      case FheOp.Le:
        return bool(booleanNot(greaterOrEqualScalar(ev, a, m + 1n)));
      case FheOp.Lt:
        return bool(booleanNot(greaterOrEqualScalar(ev, a, m)));
      case FheOp.Min:
        return selectScalarElse(ev, booleanNot(greaterOrEqualScalar(ev, a, m)), a, m);
      case FheOp.Max:
        return selectScalarElse(ev, greaterOrEqualScalar(ev, a, m), a, m);
    }
    return invalid(op, 'no scalar form');
  }
  if (rhs.type !== lhs.type) invalid(op, `operand types differ (${nameOf(lhs.type)}, ${nameOf(rhs.type)})`);
  const b = rhs.value;
  const bitOps: Partial<Record<FheOp, BitOp>> = {
    [FheOp.BitAnd]: 'and',
    [FheOp.BitOr]: 'or',
    [FheOp.BitXor]: 'xor',
  };
  switch (op) {
    case FheOp.Add:
      return add(ev, a, b);
    case FheOp.Sub:
      return sub(ev, a, b);
    case FheOp.Mul:
      return mul(ev, a, b);
    case FheOp.Div:
    case FheOp.Rem:
      return invalid(op, 'the divisor must be a plaintext');
    case FheOp.Shl:
    case FheOp.Shr:
    case FheOp.Rotl:
    case FheOp.Rotr:
      return shiftEncrypted(ev, SHIFTS[op]!, a, b);
    case FheOp.BitAnd:
    case FheOp.BitOr:
    case FheOp.BitXor:
      return bitwise(ev, bitOps[op]!, a, b);
    case FheOp.Eq:
      return bool(equal(ev, a, b));
    case FheOp.Ne:
      return bool(booleanNot(equal(ev, a, b)));
    case FheOp.Ge:
      return bool(greaterOrEqual(ev, a, b));
    case FheOp.Gt:
      return bool(booleanNot(greaterOrEqual(ev, b, a)));
    case FheOp.Le:
      return bool(greaterOrEqual(ev, b, a));
    case FheOp.Lt:
      return bool(booleanNot(greaterOrEqual(ev, a, b)));
    case FheOp.Min:
      return select(ev, greaterOrEqual(ev, a, b), b, a);
    case FheOp.Max:
      return select(ev, greaterOrEqual(ev, a, b), a, b);
  }
  return invalid(op, 'not a binary operation');
}

const SHIFTS: Partial<Record<FheOp, ShiftKind>> = {
  [FheOp.Shl]: 'shl',
  [FheOp.Shr]: 'shr',
  [FheOp.Rotl]: 'rotl',
  [FheOp.Rotr]: 'rotr',
};

/** All-ones block digit: 3 for 2-bit blocks, 1 for a boolean. */
function onesOf(type: FheType): number {
  return type === FheType.Bool ? 1 : 3;
}

type EncryptedOperand = { value: RadixCiphertext; type: FheType };
type Tuple<N extends number, T, Acc extends T[] = []> = Acc['length'] extends N
  ? Acc
  : Tuple<N, T, [...Acc, T]>;

/** The operands, checked to be exactly `count` encrypted ones (typed as a tuple of that length). */
function encryptedOperands<N extends 1 | 3>(
  op: FheOp,
  operands: Operand[],
  count: N,
): Tuple<N, EncryptedOperand> {
  if (operands.length !== count || !operands.every((o) => 'value' in o)) {
    invalid(op, `expects ${count} encrypted operand(s)`);
  }
  return operands as Tuple<N, EncryptedOperand>;
}

function checkSupported(op: FheOp, type: FheType): void {
  if (!supportedTypes(op).includes(type)) invalid(op, `type ${nameOf(type)} is not supported`);
}

function invalid(op: FheOp, detail: string): never {
  throw new FhekitError('FHE_INVALID_COMPUTATION', `Invalid ${opName(op)} computation: ${detail}.`, {
    hint: 'The fhEVM host contracts only emit well-typed operations; check how the computation was built.',
  });
}
