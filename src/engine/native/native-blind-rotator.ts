import type { BlindRotator, BlindRotatorFactory } from '../pbs/blind-rotate.js';
import { type NativeAddon, nativeAddon, nativeAddonUnavailableReason } from './native-addon.js';

export type BlindRotationParams = Parameters<BlindRotatorFactory>[1];

/**
 * A Fourier BSK in a SharedArrayBuffer (n·4N f64, 57 MiB for the real parameters, plus the few doubles
 * the addon skips to start it on a 64-byte boundary). Structured-clonable:
 * a worker thread that receives it views the same memory, so `attachNativeBlindRotator` copies nothing.
 */
export interface SharedNativeBsk {
  readonly fourier: Float64Array;
  readonly params: BlindRotationParams;
}

export function requireNativeAddon(): NativeAddon {
  const addon = nativeAddon();
  if (!addon) throw new Error(nativeAddonUnavailableReason());
  return addon;
}

function validate(params: BlindRotationParams): void {
  const { n, N, baseLog, level } = params;
  const half = N / 2;
  if (!(Number.isInteger(Math.log2(half) / 2) && half >= 256))
    throw new RangeError(`native blind rotation needs N/2 a power of 4 >= 256, got N=${N}`);
  if (level !== 1) throw new RangeError(`native blind rotation supports PBS level 1 only, got ${level}`);
  if (!(baseLog >= 1 && baseLog <= 31))
    throw new RangeError(`PBS base_log must be in [1, 31], got ${baseLog}`);
  if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`invalid LWE dimension ${n}`);
}

class NativeBlindRotator implements BlindRotator {
  private readonly addon = requireNativeAddon();
  private readonly out: BigUint64Array;

  constructor(readonly shared: SharedNativeBsk) {
    this.out = new BigUint64Array(2 * shared.params.N);
  }

  rotate(acc: BigUint64Array, mask: Uint32Array): BigUint64Array {
    const { n, N, baseLog } = this.shared.params;
    if (acc.length !== 2 * N) throw new RangeError(`accumulator must hold ${2 * N} coefficients`);
    if (mask.length !== n) throw new RangeError(`mask must hold ${n} values`);
    this.out.set(acc);
    this.addon.blindRotate(this.shared.fourier, this.out, mask, n, N, baseLog);
    return this.out;
  }
}

/** Native blind rotation: converts the BSK once into shared memory (the returned array is reused by the next call). */
export const createNativeBlindRotator: BlindRotatorFactory = (bskStandard, params) => {
  validate(params);
  const addon = requireNativeAddon();
  const length = params.n * 4 * params.N;
  if (bskStandard.length !== length)
    throw new RangeError(`BSK must hold n*4*N = ${length} coefficients, got ${bskStandard.length}`);
  const fourier = new Float64Array(new SharedArrayBuffer(addon.fourierLength(params.n, params.N) * 8));
  addon.convertBsk(bskStandard, fourier, params.n, params.N);
  return new NativeBlindRotator({ fourier, params: { ...params } });
};

/** The shared Fourier BSK behind a rotator made by `createNativeBlindRotator` (to post to worker threads). */
export function sharedNativeBskOf(rotator: BlindRotator): SharedNativeBsk {
  if (!(rotator instanceof NativeBlindRotator)) throw new TypeError('not a native blind rotator');
  return rotator.shared;
}

/** A rotator over an existing shared Fourier BSK, e.g. inside a worker thread. */
export function attachNativeBlindRotator(shared: SharedNativeBsk): BlindRotator {
  validate(shared.params);
  return new NativeBlindRotator(shared);
}
