import type { KeyswitchKey } from '../evaluation-keys.js';
import { KeyswitchModSwitch } from './keyswitch-modswitch.js';

/** Keyswitch + modulus switch bound to one keyswitching key: the `Bootstrapper`'s kernel contract. */
export interface Keyswitcher {
  /** `KeyswitchModSwitch.run` with the key bound: writes the switched mask into `mask`, returns the body. */
  run(input: Uint32Array, mask: Uint32Array): number;
}

export type KeyswitcherFactory = (ksk: KeyswitchKey) => Keyswitcher;

/** The TypeScript kernel (`KeyswitchModSwitch`), the reference the WebAssembly one is tested against. */
export const createTypeScriptKeyswitcher: KeyswitcherFactory = (ksk) => {
  const switcher = new KeyswitchModSwitch();
  return { run: (input, mask) => switcher.run(input, ksk, mask) };
};
