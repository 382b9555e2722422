import { type Hex, hexToBigInt, hexToBytes } from 'viem';
import type { FhevmComputation, FhevmOperand } from '../engine/evaluator.js';
import { bitsOf, FheType } from '../fhevm/fhe-types.js';
import { FheOp } from '../fhevm/operations.js';
import type { NewComputation, StoredCiphertext } from './store.js';

/**
 * A binary op's scalar rhs (docs/fhevm-protocol.md §Plaintext semantics): the 32-byte big-endian
 * value truncated to the lhs width; for a Bool lhs, true iff any byte is non-zero.
 */
export function decodeScalarOperand(bytes32: Hex, lhsType: FheType): bigint {
  const value = hexToBigInt(bytes32);
  if (lhsType === FheType.Bool) return value === 0n ? 0n : 1n;
  return value & ((1n << BigInt(bitsOf(lhsType))) - 1n);
}

/** TrivialEncrypt's plaintext: truncated to the type width; for Bool, the last byte > 0 (same section). */
export function decodeTrivialPlaintext(bytes32: Hex, type: FheType): bigint {
  const value = hexToBigInt(bytes32);
  if (type === FheType.Bool) return (value & 0xffn) === 0n ? 0n : 1n;
  return value & ((1n << BigInt(bitsOf(type))) - 1n);
}

/**
 * The engine call for a stored computation. `ciphertexts` must hold every operand handle (the
 * scheduler only builds inputs for ready computations).
 */
export function toFhevmComputation(
  computation: NewComputation,
  ciphertexts: ReadonlyMap<Hex, StoredCiphertext>,
): FhevmComputation {
  const encrypted = (handle: Hex): FhevmOperand => {
    const ciphertext = ciphertexts.get(handle);
    if (!ciphertext) throw new Error(`operand ${handle} has no ciphertext`);
    return { ciphertext: ciphertext.bytes, type: ciphertext.type };
  };
  const operands = computation.operands.map((operand, position): FhevmOperand => {
    if ('handle' in operand) return encrypted(operand.handle);
    switch (computation.op) {
      case FheOp.TrivialEncrypt:
        return { scalar: decodeTrivialPlaintext(operand.scalar, computation.resultType) };
      case FheOp.RandBounded:
        return { scalar: hexToBigInt(operand.scalar) };
      default: {
        const lhs = computation.operands[0];
        if (position !== 1 || lhs === undefined || !('handle' in lhs))
          throw new Error('only the second operand can be a scalar');
        return { scalar: decodeScalarOperand(operand.scalar, ciphertexts.get(lhs.handle)!.type) };
      }
    }
  });
  return {
    op: computation.op,
    resultType: computation.resultType,
    operands,
    ...(computation.seed === null ? {} : { seed: hexToBytes(computation.seed) }),
  };
}

/** Encrypted operand handles, deduplicated (what must be loaded before computing). */
export function operandHandles(computation: NewComputation): Hex[] {
  return [
    ...new Set(computation.operands.flatMap((operand) => ('handle' in operand ? [operand.handle] : []))),
  ];
}
