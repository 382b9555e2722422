import type { CleartextOracle } from '../engine/cleartext-evaluator.js';

/**
 * How a stack computes: `real` runs the TFHE engine; `cleartext` decrypts the operands with the stack's
 * client key, applies the plaintext semantics and stores a fresh encryption; `parity` runs the engine
 * and checks every result against the plaintext semantics, storing the engine's result either way.
 */
export const COMPUTE_MODES = ['real', 'cleartext', 'parity'] as const;
export type ComputeMode = (typeof COMPUTE_MODES)[number];

/** What the scheduler does with its evaluator's results, per mode (the evaluator itself is the caller's). */
export type ResultPolicy =
  | { mode: 'real' }
  /** The evaluator is the cleartext one: its results are marked as such in the store. */
  | { mode: 'cleartext' }
  /** Each result is checked with `oracle`; a disagreement becomes a parity mismatch row. */
  | { mode: 'parity'; oracle: CleartextOracle };
