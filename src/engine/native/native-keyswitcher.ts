import type { KeyswitchKey } from '../evaluation-keys.js';
import { PARAMS } from '../params.js';
import type { KeyswitcherFactory } from '../pbs/keyswitch-kernel.js';
import { requireNativeAddon } from './native-blind-rotator.js';

const n = PARAMS.smallDimension;
const LOG_TWO_N = Math.log2(2 * PARAMS.polynomialSize);

/**
 * Keyswitch + modulus switch in native code, reading the key's rows where they are (no copy); bit-identical
 * to `createTypeScriptKeyswitcher`. The kernel is written for PARAMS.ksLevel = 4.
 */
export const createNativeKeyswitcher: KeyswitcherFactory = (ksk) => {
  const addon = requireNativeAddon();
  if (ksk.rows.length !== ksk.inputDimension * PARAMS.ksLevel * (n + 1)) {
    throw new RangeError(
      `KSK must hold ${ksk.inputDimension * PARAMS.ksLevel} rows of ${n + 1} values, got ${ksk.rows.length} values`,
    );
  }
  return {
    run(input, mask) {
      if (input.length !== 2 * (ksk.inputDimension + 1)) {
        throw new RangeError(
          `input must be the limbs of ${ksk.inputDimension + 1} u64, got ${input.length} u32`,
        );
      }
      if (mask.length !== n) throw new RangeError(`mask must hold ${n} values`);
      return addon.keyswitch(input, ksk.rows, ksk.inputDimension, n, PARAMS.ksBaseLog, LOG_TWO_N, mask);
    },
  };
};

/** The key copied once into a SharedArrayBuffer: posted to worker threads, it is read there without a copy. */
export function shareKeyswitchKeyNatively(ksk: KeyswitchKey): KeyswitchKey {
  const rows = new Int32Array(new SharedArrayBuffer(ksk.rows.byteLength));
  rows.set(ksk.rows);
  return { inputDimension: ksk.inputDimension, rows };
}
