import { createRequire } from 'node:module';

/** The Node-API addon built from native/ (native/build/Release/fhekit_native.node); see native/README.md. */
export interface NativeAddon {
  /** The instruction-set variant chosen at load: 'avx512f', 'avx2+fma' or 'portable'. */
  kernel(): string;
  /** Doubles a Fourier BSK array must hold: n·4N plus slack for the addon to start it on a 64-byte boundary. */
  fourierLength(n: number, N: number): number;
  convertBsk(standard: BigUint64Array, fourier: Float64Array, n: number, N: number): void;
  blindRotate(
    fourier: Float64Array,
    acc: BigUint64Array,
    mask: Uint32Array,
    n: number,
    N: number,
    baseLog: number,
  ): void;
  keyswitch(
    input: Uint32Array,
    ksk: Int32Array,
    inputDimension: number,
    n: number,
    baseLog: number,
    logTwoN: number,
    mask: Uint32Array,
  ): number;
}

// src/engine/native and dist/engine/native are both three levels below the package root.
const ADDON_PATH = new URL('../../../native/build/Release/fhekit_native.node', import.meta.url);

let loaded: { addon: NativeAddon } | { reason: string } | undefined;

function load(): { addon: NativeAddon } | { reason: string } {
  try {
    return { addon: createRequire(import.meta.url)(ADDON_PATH.pathname) as NativeAddon };
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    return { reason: `the native kernel is not built or does not load (${message})` };
  }
}

/** The addon, loaded once per thread; undefined when it is not built or does not load here. */
export function nativeAddon(): NativeAddon | undefined {
  loaded ??= load();
  return 'addon' in loaded ? loaded.addon : undefined;
}

/** Why `nativeAddon()` is undefined (for errors and skipped tests), or undefined when it loaded. */
export function nativeAddonUnavailableReason(): string | undefined {
  loaded ??= load();
  return 'reason' in loaded ? loaded.reason : undefined;
}
