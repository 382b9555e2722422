import type { BlindRotator, BlindRotatorFactory } from '../pbs/blind-rotate.js';
import {
  createSharedMemory,
  instantiateKernel,
  PAGE_BYTES,
  pagesFor,
  type SharedWasmMemory,
} from './wasm-runtime.js';

// The engine's rotator contract (src/engine/pbs/blind-rotate.ts); this module is one implementation.
export type { BlindRotator, BlindRotatorFactory, SharedWasmMemory };
export type BlindRotationParams = Parameters<BlindRotatorFactory>[1];

/**
 * A Fourier BSK living in shared wasm memory. Structured-clonable (a shared WebAssembly.Memory can be
 * posted to a worker), so each worker thread can `attachWasmBlindRotator` without copying the 57 MiB key.
 */
export interface SharedFourierBsk {
  readonly memory: SharedWasmMemory;
  readonly params: BlindRotationParams;
  readonly tablesOffset: number;
  readonly bskOffset: number;
}

interface KernelExports {
  configure(polynomialSize: number, tables: number): void;
  convertGgsw(ggsw: number, fft: number, dst: number): void;
  blindRotate(
    io: number,
    acc: number,
    fft: number,
    mask: number,
    count: number,
    bsk: number,
    baseLog: number,
  ): void;
}

/** Workers grow the shared memory by one scratch area each; this bounds how many can attach. */
const MAX_SCRATCH_AREAS = 64;
/** Below this offset the kernel's own (empty) static data would live. */
const TABLES_OFFSET = PAGE_BYTES;

function tablesBytes(N: number): number {
  let twiddleEntries = 0;
  for (let len = N / 2; len >= 16; len /= 4) twiddleEntries += len / 4;
  return N * 16 + twiddleEntries * 48;
}

/** io (2 polys of N u64), acc (N i64x2) and fft (N/2 complex f64x2 pairs) are N*16 bytes each; io+acc also stage one standard GGSW (4N u64) during conversion. */
function scratchBytes(params: BlindRotationParams): number {
  return params.N * 48 + params.n * 4;
}

function validate(params: BlindRotationParams): void {
  const { n, N, baseLog, level } = params;
  const half = N / 2;
  const isPowerOfFour = Number.isInteger(Math.log2(half) / 2) && half >= 16;
  if (!isPowerOfFour) throw new RangeError(`wasm blind rotation needs N/2 a power of 4 >= 16, got N=${N}`);
  if (level !== 1) throw new RangeError(`wasm blind rotation supports PBS level 1 only, got ${level}`);
  if (!(baseLog >= 1 && baseLog <= 31))
    throw new RangeError(`PBS base_log must be in [1, 31], got ${baseLog}`);
  if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`invalid LWE dimension ${n}`);
}

/** Twist, untwist and stage twiddles, in f64 from Math.cos/sin (within ~1 ulp; FFT error is ~2^-50 relative). */
function writeTables(memory: SharedWasmMemory, N: number): void {
  const half = N / 2;
  const tables = new Float64Array(memory.buffer, TABLES_OFFSET, tablesBytes(N) / 8);
  for (let j = 0; j < half; j++) {
    const angle = (Math.PI * j) / N;
    tables[2 * j] = Math.cos(angle);
    tables[2 * j + 1] = Math.sin(angle);
    // the untwist also scales by 1/(N/2) for the inverse FFT and by 2^-64 so that outputs are torus values
    tables[N + 2 * j] = Math.cos(angle) / half / 2 ** 64;
    tables[N + 2 * j + 1] = -Math.sin(angle) / half / 2 ** 64;
  }
  let offset = 2 * N;
  for (let len = half; len >= 16; len /= 4) {
    for (let j = 0; j < len / 4; j++) {
      for (let power = 1; power <= 3; power++) {
        const angle = (-2 * Math.PI * power * j) / len;
        tables[offset++] = Math.cos(angle);
        tables[offset++] = Math.sin(angle);
      }
    }
  }
}

/** A kernel instance with its own scratch area over a (possibly shared) memory holding tables and Fourier BSK. */
class WasmBlindRotator implements BlindRotator {
  private readonly kernel: KernelExports;
  private readonly io: number;
  private readonly acc: number;
  private readonly fft: number;
  private readonly mask: number;

  constructor(
    readonly shared: SharedFourierBsk,
    scratchOffset: number,
  ) {
    this.kernel = instantiateKernel<KernelExports>('blind-rotate', shared.memory);
    const { N } = shared.params;
    this.io = scratchOffset;
    this.acc = this.io + N * 16;
    this.fft = this.acc + N * 16;
    this.mask = this.fft + N * 16;
    this.kernel.configure(N, shared.tablesOffset);
  }

  rotate(acc: BigUint64Array, mask: Uint32Array): BigUint64Array {
    const { n, N, baseLog } = this.shared.params;
    if (acc.length !== 2 * N) throw new RangeError(`accumulator must hold ${2 * N} coefficients`);
    if (mask.length !== n) throw new RangeError(`mask must hold ${n} values`);
    const buffer = this.shared.memory.buffer;
    new BigUint64Array(buffer, this.io, 2 * N).set(acc);
    const maskView = new Uint32Array(buffer, this.mask, n);
    maskView.set(mask);
    for (const rotation of maskView) {
      if (rotation >= 2 * N) throw new RangeError(`mask value ${rotation} outside [0, ${2 * N})`);
    }
    this.kernel.blindRotate(this.io, this.acc, this.fft, this.mask, n, this.shared.bskOffset, baseLog);
    return new BigUint64Array(new BigUint64Array(buffer, this.io, 2 * N));
  }

  /** Converts the standard-domain BSK into the shared Fourier BSK (done once, by the creating thread). */
  loadBsk(bskStandard: BigUint64Array): void {
    const { n, N } = this.shared.params;
    const ggswLength = 4 * N;
    if (bskStandard.length !== n * ggswLength) {
      throw new RangeError(`BSK must hold n*4*N = ${n * ggswLength} coefficients, got ${bskStandard.length}`);
    }
    const staging = new BigUint64Array(this.shared.memory.buffer, this.io, ggswLength);
    for (let i = 0; i < n; i++) {
      staging.set(bskStandard.subarray(i * ggswLength, (i + 1) * ggswLength));
      this.kernel.convertGgsw(this.io, this.fft, this.shared.bskOffset + i * N * 32);
    }
  }
}

function growScratch(memory: SharedWasmMemory, params: BlindRotationParams): number {
  return memory.grow(pagesFor(scratchBytes(params))) * PAGE_BYTES;
}

export const createWasmBlindRotator: BlindRotatorFactory = (bskStandard, params) => {
  validate(params);
  const bskOffset = TABLES_OFFSET + pagesFor(tablesBytes(params.N)) * PAGE_BYTES;
  const pages = pagesFor(bskOffset + params.n * params.N * 32);
  const memory = createSharedMemory(pages, pages + MAX_SCRATCH_AREAS * pagesFor(scratchBytes(params)));
  writeTables(memory, params.N);
  const shared: SharedFourierBsk = { memory, params: { ...params }, tablesOffset: TABLES_OFFSET, bskOffset };
  const rotator = new WasmBlindRotator(shared, growScratch(memory, params));
  rotator.loadBsk(bskStandard);
  return rotator;
};

/** The shared Fourier BSK behind a rotator made by `createWasmBlindRotator` (to post to worker threads). */
export function sharedFourierBskOf(rotator: BlindRotator): SharedFourierBsk {
  if (!(rotator instanceof WasmBlindRotator)) throw new TypeError('not a wasm blind rotator');
  return rotator.shared;
}

/** A rotator with its own scratch over an existing shared Fourier BSK, e.g. inside a worker thread. */
export function attachWasmBlindRotator(shared: SharedFourierBsk): BlindRotator {
  return new WasmBlindRotator(shared, growScratch(shared.memory, shared.params));
}
