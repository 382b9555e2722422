import type { KeyswitchKey } from '../evaluation-keys.js';
import { PARAMS } from '../params.js';
import type { Keyswitcher, KeyswitcherFactory } from '../pbs/keyswitch-kernel.js';
import {
  createSharedMemory,
  instantiateKernel,
  PAGE_BYTES,
  pagesFor,
  type SharedWasmMemory,
} from './wasm-runtime.js';

// The engine's keyswitch contract (src/engine/pbs/keyswitch-kernel.ts); this module is one implementation.
export type { Keyswitcher, KeyswitcherFactory };

/**
 * A keyswitching key living in shared wasm memory. Structured-clonable (a shared WebAssembly.Memory can be
 * posted to a worker), so each worker thread can `attachWasmKeyswitcher` without copying the ~29 MiB key.
 */
export interface SharedKeyswitchKey {
  readonly memory: SharedWasmMemory;
  readonly inputDimension: number;
  readonly kskOffset: number;
}

interface KernelExports {
  keyswitchModSwitch(
    input: number,
    inputDimension: number,
    ksk: number,
    n: number,
    baseLog: number,
    acc: number,
    mask: number,
    logTwoN: number,
  ): number;
}

// The kernel is written for PARAMS.ksLevel = 4 levels; rows are padded to whole i32x4 vectors.
const n = PARAMS.smallDimension;
const ROW_STRIDE = Math.ceil((n + 1) / 4) * 4;
const LOG_TWO_N = Math.log2(2 * PARAMS.polynomialSize);
/** Below this offset the kernel's own (empty) static data would live. */
const KSK_OFFSET = PAGE_BYTES;
/**
 * Every instance grows the shared memory by one scratch area (one page) that is never reclaimed; key copies
 * are cached per key object, so this bounds the keyswitchers a process makes over one key (address space only).
 */
const MAX_SCRATCH_AREAS = 4096;

/** Input LWE (u64 limb pairs), acc (one padded row of i32) and switched mask (n u32). */
const scratchPages = (inputDimension: number) => pagesFor((inputDimension + 1) * 8 + ROW_STRIDE * 4 + n * 4);

/** One wasm copy per key object, so every bootstrapper over the same keys shares it. */
const sharedKeys = new WeakMap<KeyswitchKey, SharedKeyswitchKey>();

/** Copies the KSK into a new shared memory, row (i, j) at KSK_OFFSET + (4i + j)·ROW_STRIDE·4. */
function shareKey(ksk: KeyswitchKey): SharedKeyswitchKey {
  const known = sharedKeys.get(ksk);
  if (known) return known;
  const { inputDimension, rows } = ksk;
  const rowCount = inputDimension * PARAMS.ksLevel;
  if (rows.length !== rowCount * (n + 1)) {
    throw new RangeError(`KSK must hold ${rowCount} rows of ${n + 1} values, got ${rows.length} values`);
  }
  const pages = pagesFor(KSK_OFFSET + rowCount * ROW_STRIDE * 4);
  const memory = createSharedMemory(pages, pages + MAX_SCRATCH_AREAS * scratchPages(inputDimension));
  const padded = new Int32Array(memory.buffer, KSK_OFFSET, rowCount * ROW_STRIDE);
  for (let row = 0; row < rowCount; row++) {
    padded.set(rows.subarray(row * (n + 1), (row + 1) * (n + 1)), row * ROW_STRIDE);
  }
  const shared: SharedKeyswitchKey = { memory, inputDimension, kskOffset: KSK_OFFSET };
  sharedKeys.set(ksk, shared);
  return shared;
}

/** A kernel instance with its own scratch area over a (possibly shared) memory holding one KSK. */
class WasmKeyswitcher implements Keyswitcher {
  private readonly kernel: KernelExports;
  private readonly input: number;
  private readonly acc: number;
  private readonly mask: number;
  // Shared memory buffers are never detached by growth, so views made once stay valid.
  private readonly inputView: Uint32Array;
  private readonly maskView: Uint32Array;

  constructor(readonly shared: SharedKeyswitchKey) {
    const { memory, inputDimension } = shared;
    this.input = memory.grow(scratchPages(inputDimension)) * PAGE_BYTES;
    this.acc = this.input + (inputDimension + 1) * 8;
    this.mask = this.acc + ROW_STRIDE * 4;
    this.kernel = instantiateKernel<KernelExports>('keyswitch', memory);
    this.inputView = new Uint32Array(memory.buffer, this.input, 2 * (inputDimension + 1));
    this.maskView = new Uint32Array(memory.buffer, this.mask, n);
  }

  run(input: Uint32Array, mask: Uint32Array): number {
    const { inputDimension, kskOffset } = this.shared;
    if (input.length !== this.inputView.length) {
      throw new RangeError(`input must be the limbs of ${inputDimension + 1} u64, got ${input.length} u32`);
    }
    if (mask.length !== n) throw new RangeError(`mask must hold ${n} values`);
    this.inputView.set(input);
    const body = this.kernel.keyswitchModSwitch(
      this.input,
      inputDimension,
      kskOffset,
      n,
      PARAMS.ksBaseLog,
      this.acc,
      this.mask,
      LOG_TWO_N,
    );
    mask.set(this.maskView);
    return body;
  }
}

/** Keyswitch + modulus switch in WebAssembly SIMD; the key is copied to shared wasm memory once per key object. */
export const createWasmKeyswitcher: KeyswitcherFactory = (ksk) => new WasmKeyswitcher(shareKey(ksk));

/** The shared KSK behind a keyswitcher made by `createWasmKeyswitcher` (to post to worker threads). */
export function sharedKeyswitchKeyOf(keyswitcher: Keyswitcher): SharedKeyswitchKey {
  if (!(keyswitcher instanceof WasmKeyswitcher)) throw new TypeError('not a wasm keyswitcher');
  return keyswitcher.shared;
}

/** A keyswitcher with its own scratch over an existing shared KSK, e.g. inside a worker thread. */
export function attachWasmKeyswitcher(shared: SharedKeyswitchKey): Keyswitcher {
  return new WasmKeyswitcher(shared);
}
