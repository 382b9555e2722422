import type { FheType } from '../fhevm/fhe-types.js';
import type { FheOp } from '../fhevm/operations.js';

/**
 * One fhEVM computation, as the coprocessor hands it to the engine. Ciphertexts are node-tfhe
 * `safe_serialize` bytes (FheBool / FheUintN); the result is returned in the same form.
 *
 * Operands by op:
 * - binary ops (Add … Max): [lhs, rhs]; rhs is `{ scalar }` when the event's scalarByte is 0x01
 *   (already decoded: big-endian, truncated to the lhs width; for Bool lhs, non-zero → 1n)
 * - Neg, Not: [ct]
 * - IfThenElse: [control(Bool), ifTrue, ifFalse]
 * - Cast: [ct] (resultType is the target type)
 * - TrivialEncrypt: [{ scalar }]
 * - Rand: [] with `seed`; RandBounded: [{ scalar: upperBound }] with `seed`
 */
export type FhevmOperand = { ciphertext: Uint8Array; type: FheType } | { scalar: bigint };

export interface FhevmComputation {
  op: FheOp;
  resultType: FheType;
  operands: FhevmOperand[];
  /** 16-byte seed from the FheRand / FheRandBounded event. */
  seed?: Uint8Array;
}

export interface FheEvaluator {
  compute(computation: FhevmComputation): Promise<Uint8Array>;
  /** Stops worker threads; pending computes reject. */
  stop(): Promise<void>;
}
