import { FhekitError } from '../../errors.js';
import type { EvaluationKeys } from '../evaluation-keys.js';
import { PARAMS } from '../params.js';
import type { BlindRotatorFactory } from '../pbs/blind-rotate.js';
import type { KeyswitcherFactory } from '../pbs/keyswitch-kernel.js';
import {
  attachWasmBlindRotator,
  createWasmBlindRotator,
  type SharedFourierBsk,
  sharedFourierBskOf,
} from '../wasm/wasm-blind-rotator.js';
import {
  attachWasmKeyswitcher,
  createWasmKeyswitcher,
  type SharedKeyswitchKey,
  sharedKeyswitchKeyOf,
} from '../wasm/wasm-keyswitcher.js';

/**
 * Evaluation keys every pool thread reads without a copy: the Fourier BSK (57 MiB) and the keyswitching
 * key (29 MiB), each in a shared WebAssembly.Memory the wasm kernels attach to. Structured-clonable.
 */
export interface SharedEvaluationKeys {
  readonly fourierBsk: SharedFourierBsk;
  readonly keyswitchKey: SharedKeyswitchKey;
}

/** Builds the shared forms once, on the creating thread. */
export function shareEvaluationKeys(keys: EvaluationKeys): SharedEvaluationKeys {
  const rotator = createWasmBlindRotator(keys.bskStandard, {
    n: PARAMS.smallDimension,
    N: PARAMS.polynomialSize,
    baseLog: PARAMS.pbsBaseLog,
    level: PARAMS.pbsLevel,
  });
  return {
    fourierBsk: sharedFourierBskOf(rotator),
    keyswitchKey: sharedKeyswitchKeyOf(createWasmKeyswitcher(keys.keyswitchKey)),
  };
}

/**
 * A thread's view of shared keys, as a `Bootstrapper` takes them: key objects without their standard-domain
 * data (the kernel factories attach to the shared copies instead) and those factories.
 */
export function attachEvaluationKeys(shared: SharedEvaluationKeys): {
  keys: EvaluationKeys;
  blindRotator: BlindRotatorFactory;
  keyswitcher: KeyswitcherFactory;
} {
  const noCastingKey = () =>
    new FhekitError('FHE_POOL_NO_CASTING_KEY', 'Pool threads do not hold the casting keyswitch key.', {
      hint: 'Expand SDK inputs with createEvaluator(...).expandInputs.',
    });
  const keyswitchKey = { inputDimension: shared.keyswitchKey.inputDimension, rows: new Int32Array(0) };
  return {
    keys: {
      bskStandard: new BigUint64Array(0),
      keyswitchKey,
      castingKeyswitchKey() {
        throw noCastingKey();
      },
    },
    blindRotator: () => attachWasmBlindRotator(shared.fourierBsk),
    keyswitcher: (key) => {
      if (key !== keyswitchKey) throw noCastingKey();
      return attachWasmKeyswitcher(shared.keyswitchKey);
    },
  };
}
