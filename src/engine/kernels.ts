import { FhekitError } from '../errors.js';
import { nativeAddon, nativeAddonUnavailableReason } from './native/native-addon.js';
import { createNativeBlindRotator } from './native/native-blind-rotator.js';
import { createNativeKeyswitcher } from './native/native-keyswitcher.js';
import type { BlindRotatorFactory } from './pbs/blind-rotate.js';
import type { KeyswitcherFactory } from './pbs/keyswitch-kernel.js';
import { createWasmBlindRotator } from './wasm/wasm-blind-rotator.js';
import { createWasmKeyswitcher } from './wasm/wasm-keyswitcher.js';

export const KERNEL_NAMES = ['native', 'wasm'] as const;
export type KernelName = (typeof KERNEL_NAMES)[number];

/** The blind-rotation and keyswitch kernels a `Bootstrapper` runs, and how to name them in reports. */
export interface Kernels {
  readonly name: KernelName;
  /** `native-avx512f`, `native-avx2+fma`, `native-portable` or `wasm-simd128`: what status and benches print. */
  readonly label: string;
  readonly blindRotator: BlindRotatorFactory;
  readonly keyswitcher: KeyswitcherFactory;
}

const WASM: Kernels = {
  name: 'wasm',
  label: 'wasm-simd128',
  blindRotator: createWasmBlindRotator,
  keyswitcher: createWasmKeyswitcher,
};

/**
 * The kernels `FHE_KERNEL` asks for (`native` or `wasm`); unset or empty: native when the addon loaded
 * on this machine (built at install, see native/README.md), else wasm.
 */
export function selectKernels(requested: string | undefined = process.env.FHE_KERNEL): Kernels {
  if (
    requested !== undefined &&
    requested !== '' &&
    !(KERNEL_NAMES as readonly string[]).includes(requested)
  ) {
    throw new FhekitError(
      'FHE_KERNEL_INVALID',
      `FHE_KERNEL=${requested} is not one of ${KERNEL_NAMES.join(', ')}.`,
      {
        hint: 'Set FHE_KERNEL to native or wasm, or unset it (native when built, else wasm).',
      },
    );
  }
  if (requested === 'wasm') return WASM;
  const addon = nativeAddon();
  if (addon) {
    return {
      name: 'native',
      label: `native-${addon.kernel()}`,
      blindRotator: createNativeBlindRotator,
      keyswitcher: createNativeKeyswitcher,
    };
  }
  if (requested === 'native') {
    throw new FhekitError(
      'FHE_KERNEL_UNAVAILABLE',
      `FHE_KERNEL=native, but ${nativeAddonUnavailableReason()}.`,
      {
        hint: 'Build it with `npm run build:native` (needs python3, make and a C++ compiler), or set FHE_KERNEL=wasm.',
      },
    );
  }
  return WASM;
}
