import { FhekitError } from '../errors.js';
import { blocksOf, FheType, nameOf } from '../fhevm/fhe-types.js';
import type { RadixCiphertext } from './block.js';
import { decodeValue, encodeValue } from './codec/ciphertext-codec.js';
import { computeOp, type Operand } from './compute-op.js';
import type { EvaluationKeys } from './evaluation-keys.js';
import { loadEvaluationKeys } from './evaluation-keys.js';
import type { FheEvaluator, FhevmComputation, FhevmOperand } from './evaluator.js';
import { expandCompactList } from './input-expansion.js';
import { selectKernels } from './kernels.js';
import type { BlindRotatorFactory } from './pbs/blind-rotate.js';
import { Bootstrapper } from './pbs/bootstrap.js';
import type { KeyswitcherFactory } from './pbs/keyswitch-kernel.js';
import { type AlgorithmChoice, BlockEvaluator } from './radix/block-evaluator.js';

export interface EvaluatorOptions {
  /** The `eval-keys.bin` blob from `generateEvaluationKeys`, or keys already loaded. */
  evaluationKeys: Uint8Array | EvaluationKeys;
  /** Blind-rotation kernel: default the one FHE_KERNEL selects (`selectKernels`: native when built, else wasm SIMD). */
  blindRotator?: BlindRotatorFactory;
  /** Keyswitch + modulus switch kernel: default as above (`createTypeScriptKeyswitcher` is the reference). */
  keyswitcher?: KeyswitcherFactory;
  /** Carry and comparison algorithms: `auto` (default) picks by thread count; tests and benchmarks force one. */
  algorithm?: AlgorithmChoice;
}

export interface Evaluator extends FheEvaluator {
  /** The kernels' `Kernels.label` (e.g. `native-avx512f`, `wasm-simd128`), or `custom` when factories were given. */
  readonly kernel: string;
  /** `compute` without the promise, for worker threads and tests. */
  computeSync(computation: FhevmComputation): Uint8Array;
  /**
   * Expands a (proven) compact input list from the SDK into one ciphertext per value, as node-tfhe
   * `safe_serialize` bytes — our own casting keyswitch + PBS, instead of node-tfhe's ~0.5 s per block.
   * Verify the proof first (node-tfhe); `types` are the values' types in push order.
   */
  expandInputs(listBytes: Uint8Array, types: FheType[]): Uint8Array[];
}

/** The engine behind the coprocessor: node-tfhe ciphertext bytes in, node-tfhe ciphertext bytes out. */
export function createEvaluator(options: EvaluatorOptions): Evaluator {
  const keys =
    options.evaluationKeys instanceof Uint8Array
      ? loadEvaluationKeys(options.evaluationKeys)
      : options.evaluationKeys;
  const kernels = selectKernels();
  const custom = options.blindRotator !== undefined || options.keyswitcher !== undefined;
  const bootstrapper = new Bootstrapper(
    keys,
    options.blindRotator ?? kernels.blindRotator,
    options.keyswitcher ?? kernels.keyswitcher,
  );
  const ev = new BlockEvaluator(bootstrapper, options.algorithm ? { algorithm: options.algorithm } : {});
  let closed = false;
  const computeSync = (computation: FhevmComputation): Uint8Array => {
    if (closed)
      throw new FhekitError('FHE_EVALUATOR_CLOSED', 'The evaluator was closed.', {
        hint: 'Create a new one.',
      });
    const operands = computation.operands.map(decodeOperand);
    const result = computeOp(ev, computation.op, computation.resultType, operands, computation.seed);
    return encodeResult(result, computation.resultType);
  };
  return {
    kernel: custom ? 'custom' : kernels.label,
    computeSync,
    expandInputs: (listBytes, types) =>
      expandCompactList(bootstrapper, keys.castingKeyswitchKey(), listBytes, types).map((value, i) =>
        encodeResult(value, types[i]!),
      ),
    compute: async (computation) => computeSync(computation),
    stop: async () => {
      closed = true;
    },
  };
}

/** Reads an operand, checking the bytes hold the declared type (node-tfhe itself does not check widths). */
export function decodeOperand(operand: FhevmOperand): Operand {
  if ('scalar' in operand) return operand;
  const decoded = decodeValue(operand.ciphertext);
  const expectedKind = operand.type === FheType.Bool ? 'FheBool' : 'FheUint';
  if (decoded.kind !== expectedKind || decoded.blocks.length !== blocksOf(operand.type)) {
    throw new FhekitError(
      'FHE_CIPHERTEXT_TYPE_MISMATCH',
      `Ciphertext is a ${decoded.kind} with ${decoded.blocks.length} blocks, not an ${nameOf(operand.type)}.`,
      {
        hint: 'The handle type byte and the stored ciphertext disagree; the store may hold a wrong ciphertext.',
      },
    );
  }
  return { value: { blocks: decoded.blocks }, type: operand.type };
}

export function encodeResult(value: RadixCiphertext, type: FheType): Uint8Array {
  return encodeValue(type === FheType.Bool ? 'FheBool' : 'FheUint', value);
}
