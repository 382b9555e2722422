import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { createRng } from './exact-glwe.js';

// The kernel's f64 -> Z/2^64 rounding (inverse-FFT outputs reach ~2^90) against exact BigInt arithmetic.

interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
  Memory: new (descriptor: {
    initial: number;
    maximum: number;
    shared: true;
  }) => { buffer: SharedArrayBuffer };
}
const wasm = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

const VALUES_OFFSET = 0;
const RESULTS_OFFSET = 32768;

function roundInKernel(values: number[]): BigUint64Array {
  const memory = new wasm.Memory({ initial: 1, maximum: 1, shared: true });
  const bytes = readFileSync(new URL('../../../src/engine/wasm/blind-rotate.wasm', import.meta.url));
  const kernel = new wasm.Instance(new wasm.Module(bytes), { env: { memory } }).exports as {
    roundToTorus(src: number, dst: number, count: number): void;
  };
  new Float64Array(memory.buffer, VALUES_OFFSET, values.length).set(values);
  kernel.roundToTorus(VALUES_OFFSET, RESULTS_OFFSET, values.length);
  return new BigUint64Array(new BigUint64Array(memory.buffer, RESULTS_OFFSET, values.length));
}

/** Round half to even, then reduce mod 2^64, exactly. */
function exactTorus(x: number): bigint {
  const floor = Math.floor(x);
  const fraction = x - floor;
  const down = BigInt(floor);
  const roundUp = fraction > 0.5 || (fraction === 0.5 && (down & 1n) === 1n);
  return BigInt.asUintN(64, roundUp ? down + 1n : down);
}

it('rounds any f64 up to 2^92 to the exact nearest integer mod 2^64', () => {
  const edges = [
    0,
    -0,
    0.5,
    -0.5,
    1.5,
    2.5,
    -2.5,
    0.49999999999999994,
    2 ** 31,
    -(2 ** 31),
    2 ** 32 - 0.5,
    2 ** 52 + 1,
    2 ** 53,
    2 ** 63 - 1024,
    2 ** 63,
    -(2 ** 63),
    2 ** 63 + 2048,
    2 ** 64 - 2048,
    2 ** 64,
    -(2 ** 64),
    3 * 2 ** 63,
    -3 * 2 ** 63,
    2 ** 90 + 2 ** 40,
    -(2 ** 90) - 2 ** 39,
    2 ** 92 - 2 ** 40,
    2 ** 51 + 0.5,
    -(2 ** 51) - 0.5,
  ];
  const rng = createRng(31);
  const random = Array.from({ length: 2048 - edges.length }, () => {
    const mantissa = 1 + rng() / 2 ** 32 + rng() / 2 ** 64;
    const sign = rng() & 1 ? -1 : 1;
    return sign * mantissa * 2 ** ((rng() % 95) - 2);
  });
  const values = [...edges, ...random];
  const rounded = roundInKernel(values);
  const mismatches = values.filter((x, k) => rounded[k] !== exactTorus(x));
  expect(mismatches).toEqual([]);
});
