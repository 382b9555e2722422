import { FhekitError } from '../../errors.js';
import type { EvaluationKeys } from '../evaluation-keys.js';
import { PARAMS } from '../params.js';
import type { BlindRotatorFactory } from '../pbs/blind-rotate.js';
import {
  attachWasmBlindRotator,
  createWasmBlindRotator,
  type SharedFourierBsk,
  sharedFourierBskOf,
} from '../wasm/wasm-blind-rotator.js';

/**
 * Evaluation keys in memory every pool thread reads without a copy: the Fourier BSK in the wasm kernel's
 * shared memory (57 MiB), the keyswitching key in a SharedArrayBuffer (~29 MiB). Structured-clonable.
 */
export interface SharedEvaluationKeys {
  readonly fourierBsk: SharedFourierBsk;
  readonly keyswitchKey: { readonly inputDimension: number; readonly rows: SharedArrayBuffer };
}

/** Builds the shared forms once, on the creating thread. */
export function shareEvaluationKeys(keys: EvaluationKeys): SharedEvaluationKeys {
  const rotator = createWasmBlindRotator(keys.bskStandard, {
    n: PARAMS.smallDimension,
    N: PARAMS.polynomialSize,
    baseLog: PARAMS.pbsBaseLog,
    level: PARAMS.pbsLevel,
  });
  const { inputDimension, rows } = keys.keyswitchKey;
  const sharedRows = new SharedArrayBuffer(rows.byteLength);
  new Int32Array(sharedRows).set(rows);
  return { fourierBsk: sharedFourierBskOf(rotator), keyswitchKey: { inputDimension, rows: sharedRows } };
}

/**
 * A thread's view of shared keys: the `EvaluationKeys` a `Bootstrapper` takes (no standard-domain BSK:
 * the rotator factory attaches to the shared Fourier one) and that factory.
 */
export function attachEvaluationKeys(shared: SharedEvaluationKeys): {
  keys: EvaluationKeys;
  blindRotator: BlindRotatorFactory;
} {
  return {
    keys: {
      bskStandard: new BigUint64Array(0),
      keyswitchKey: {
        inputDimension: shared.keyswitchKey.inputDimension,
        rows: new Int32Array(shared.keyswitchKey.rows),
      },
      castingKeyswitchKey() {
        throw new FhekitError(
          'FHE_POOL_NO_CASTING_KEY',
          'Pool threads do not hold the casting keyswitch key.',
          {
            hint: 'Expand SDK inputs with createEvaluator(...).expandInputs.',
          },
        );
      },
    },
    blindRotator: () => attachWasmBlindRotator(shared.fourierBsk),
  };
}
