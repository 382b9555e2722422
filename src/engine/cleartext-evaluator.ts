import { createHash } from 'node:crypto';
import { FhekitError } from '../errors.js';
import { bitsOf, FheType, nameOf } from '../fhevm/fhe-types.js';
import { FheOp, opName, supportedTypes } from '../fhevm/operations.js';
import { plaintextResult } from '../fhevm/plaintext-semantics.js';
import { decodeValue } from './codec/ciphertext-codec.js';
import { decryptRadix } from './decrypt.js';
import type { FheEvaluator, FhevmComputation } from './evaluator.js';
import { encryptToStoredBytes } from './secret-key-encryption.js';

/** A computation's result as plaintext, and how to compare an engine result with it. */
export interface CleartextOracle {
  /** The plaintext the computation must produce (Rand: the value the cleartext mode stores). */
  expected(computation: FhevmComputation): bigint;
  /** Decrypts stored ciphertext bytes of `type` with the client key. */
  decrypt(bytes: Uint8Array, type: FheType): bigint;
  /** Whether `actual` is a correct result: equal to `expected`, or in range for random values. */
  agrees(computation: FhevmComputation, actual: bigint): boolean;
}

export interface CleartextEvaluator extends FheEvaluator, CleartextOracle {}

/**
 * The `cleartext` compute mode: decrypts the operands with the stack's own client key, applies the
 * fhEVM plaintext semantics and stores a fresh secret-key encryption of the result. Everything after
 * (store, KMS, signatures, SDK) sees real ciphertexts that decrypt to the right values, in microseconds
 * instead of bootstraps. Random values come from the event's seed (not bit-equal to the engine's).
 */
export function createCleartextEvaluator(options: { glweKey: Uint8Array }): CleartextEvaluator {
  const { glweKey } = options;
  const decrypt = (bytes: Uint8Array, type: FheType) =>
    decryptRadix(decodeValue(bytes), glweKey, bitsOf(type));

  function expected(computation: FhevmComputation): bigint {
    const values = computation.operands.map((operand) =>
      'scalar' in operand ? operand.scalar : decrypt(operand.ciphertext, operand.type),
    );
    return cleartextResult(computation, values);
  }

  return {
    expected,
    decrypt,
    agrees(computation, actual) {
      if (computation.op !== FheOp.Rand && computation.op !== FheOp.RandBounded) {
        return actual === expected(computation);
      }
      return actual < randomRange(computation);
    },
    compute: async (computation) => {
      const value = expected(computation);
      return encryptToStoredBytes(value, computation.resultType, glweKey);
    },
    stop: async () => {},
  };
}

function cleartextResult(computation: FhevmComputation, values: bigint[]): bigint {
  const { op, resultType, operands } = computation;
  const mask = (1n << BigInt(bitsOf(resultType))) - 1n;
  const [a = 0n, b = 0n, c = 0n] = values;
  switch (op) {
    case FheOp.TrivialEncrypt:
      return a & mask;
    case FheOp.Cast:
      return resultType === FheType.Bool ? (a === 0n ? 0n : 1n) : a & mask;
    case FheOp.Rand:
    case FheOp.RandBounded:
      return seededValue(computation) % randomRange(computation);
  }
  const first = operands[0];
  const valueType = op === FheOp.IfThenElse ? operands[1] : first;
  if (valueType === undefined || !('type' in valueType) || !supportedTypes(op).includes(valueType.type)) {
    throw new FhekitError(
      'FHE_INVALID_COMPUTATION',
      `Invalid ${opName(op)} computation: ${valueType && 'type' in valueType ? nameOf(valueType.type) : 'no encrypted operand'}.`,
      {
        hint: 'The fhEVM host contracts only emit well-typed operations; check how the computation was built.',
      },
    );
  }
  if ((op === FheOp.Div || op === FheOp.Rem) && b === 0n) {
    throw new FhekitError('FHE_INVALID_COMPUTATION', `Invalid ${opName(op)} computation: division by zero.`, {
      hint: 'FHEVMExecutor rejects a zero plaintext divisor; check how the computation was built.',
    });
  }
  return plaintextResult(op, valueType.type, a, b, c);
}

/** Random values lie in [0, range): 2^bits, or the (power-of-two) bound of RandBounded. */
function randomRange(computation: FhevmComputation): bigint {
  const full = 1n << BigInt(bitsOf(computation.resultType));
  const bound = computation.operands[0];
  if (computation.op === FheOp.RandBounded && bound && 'scalar' in bound && bound.scalar !== 0n) {
    return bound.scalar < full ? bound.scalar : full;
  }
  return full;
}

function seededValue(computation: FhevmComputation): bigint {
  if (computation.seed === undefined) {
    throw new FhekitError(
      'FHE_INVALID_COMPUTATION',
      `Invalid ${opName(computation.op)} computation: no seed.`,
      {
        hint: 'Random values need the 16-byte seed of the FheRand event.',
      },
    );
  }
  const digest = createHash('sha512').update(computation.seed).digest('hex');
  return BigInt(`0x${digest}`);
}
