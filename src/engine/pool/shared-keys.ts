import { FhekitError } from '../../errors.js';
import type { EvaluationKeys, KeyswitchKey } from '../evaluation-keys.js';
import type { Kernels } from '../kernels.js';
import {
  attachNativeBlindRotator,
  createNativeBlindRotator,
  type SharedNativeBsk,
  sharedNativeBskOf,
} from '../native/native-blind-rotator.js';
import { createNativeKeyswitcher, shareKeyswitchKeyNatively } from '../native/native-keyswitcher.js';
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
 * key (29 MiB), in shared memory for the chosen kernels: shared WebAssembly.Memory the wasm kernels
 * attach to, or SharedArrayBuffers the native kernels read through typed arrays. Structured-clonable.
 */
export type SharedEvaluationKeys =
  | {
      readonly kernel: 'wasm';
      readonly label: string;
      readonly fourierBsk: SharedFourierBsk;
      readonly keyswitchKey: SharedKeyswitchKey;
    }
  | {
      readonly kernel: 'native';
      readonly label: string;
      readonly fourierBsk: SharedNativeBsk;
      readonly keyswitchKey: KeyswitchKey;
    };

const ROTATION_PARAMS = {
  n: PARAMS.smallDimension,
  N: PARAMS.polynomialSize,
  baseLog: PARAMS.pbsBaseLog,
  level: PARAMS.pbsLevel,
};

/** Builds the shared forms once, on the creating thread. */
export function shareEvaluationKeys(keys: EvaluationKeys, kernels: Kernels): SharedEvaluationKeys {
  if (kernels.name === 'native') {
    return {
      kernel: 'native',
      label: kernels.label,
      fourierBsk: sharedNativeBskOf(createNativeBlindRotator(keys.bskStandard, ROTATION_PARAMS)),
      keyswitchKey: shareKeyswitchKeyNatively(keys.keyswitchKey),
    };
  }
  return {
    kernel: 'wasm',
    label: kernels.label,
    fourierBsk: sharedFourierBskOf(createWasmBlindRotator(keys.bskStandard, ROTATION_PARAMS)),
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
  // The native kernels read the shared rows in place; the wasm ones attach to their own shared copy.
  const keyswitchKey =
    shared.kernel === 'native'
      ? shared.keyswitchKey
      : { inputDimension: shared.keyswitchKey.inputDimension, rows: new Int32Array(0) };
  const keys: EvaluationKeys = {
    bskStandard: new BigUint64Array(0),
    keyswitchKey,
    castingKeyswitchKey() {
      throw noCastingKey();
    },
  };
  const checkKey = (key: KeyswitchKey) => {
    if (key !== keyswitchKey) throw noCastingKey();
  };
  if (shared.kernel === 'native') {
    const bsk = shared.fourierBsk;
    return {
      keys,
      blindRotator: () => attachNativeBlindRotator(bsk),
      keyswitcher: (key) => {
        checkKey(key);
        return createNativeKeyswitcher(key);
      },
    };
  }
  const { fourierBsk, keyswitchKey: sharedKsk } = shared;
  return {
    keys,
    blindRotator: () => attachWasmBlindRotator(fourierBsk),
    keyswitcher: (key) => {
      checkKey(key);
      return attachWasmKeyswitcher(sharedKsk);
    },
  };
}
