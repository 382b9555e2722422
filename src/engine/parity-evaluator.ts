import { nameOf } from '../fhevm/fhe-types.js';
import { opName } from '../fhevm/operations.js';
import type { CleartextOracle } from './cleartext-evaluator.js';
import type { FheEvaluator, FhevmComputation } from './evaluator.js';

export interface ParityMismatch {
  op: string;
  resultType: string;
  expected: bigint;
  actual: bigint;
}

/**
 * The `parity` compute mode: every computation runs on the real engine, its result is decrypted and
 * compared with the plaintext semantics, and a disagreement is reported; the real result is stored
 * either way, so the stack behaves exactly like `real` apart from the check.
 */
export function createParityEvaluator(options: {
  real: FheEvaluator;
  oracle: CleartextOracle;
  onMismatch: (mismatch: ParityMismatch, computation: FhevmComputation) => void;
}): FheEvaluator {
  const { real, oracle } = options;
  return {
    async compute(computation) {
      const bytes = await real.compute(computation);
      const actual = oracle.decrypt(bytes, computation.resultType);
      if (!oracle.agrees(computation, actual)) {
        options.onMismatch(
          {
            op: opName(computation.op),
            resultType: nameOf(computation.resultType),
            expected: oracle.expected(computation),
            actual,
          },
          computation,
        );
      }
      return bytes;
    },
    stop: () => real.stop(),
  };
}
