// Blind rotation micro-benchmark, real PBS parameters (n=918, N=2048, base 2^23 x 1 level), one thread.
// Usage: npx tsx bench/blind-rotate.bench.ts [wasm runs, default 10] [TypeScript runs, default 3]
// Then the wasm throughput with 1..cores worker threads sharing one Fourier BSK.
// Cost does not depend on the key material, so the BSK is random words (not a valid GGSW); every mask
// value is non-zero, the worst case (918 external products).
import { cpus } from 'node:os';
import { createTypeScriptBlindRotator } from '../src/engine/pbs/blind-rotate.js';
import {
  type BlindRotatorFactory,
  createWasmBlindRotator,
  sharedFourierBskOf,
} from '../src/engine/wasm/wasm-blind-rotator.js';
import { createRng, randomU64Poly } from '../test/engine/wasm/exact-glwe.js';
import { startRotationWorker } from '../test/engine/wasm/rotation-worker.js';
import { createScalarBlindRotator } from '../test/engine/wasm/scalar-blind-rotator.js';

const params = { n: 918, N: 2048, baseLog: 23, level: 1 };
const [wasmRuns = 10, typeScriptRuns = 3] = process.argv.slice(2).map(Number);

const rng = createRng(2026);
const bsk = randomU64Poly(rng, params.n * 4 * params.N);
const acc = randomU64Poly(rng, 2 * params.N);
const mask = Uint32Array.from({ length: params.n }, () => 1 + (rng() % (2 * params.N - 1)));

interface Row {
  implementation: string;
  'key setup ms': string;
  'ms / rotation (median)': string;
  'ms / rotation (min)': string;
  runs: number;
}

function measure(implementation: string, factory: BlindRotatorFactory, runs: number): Row {
  const setupStart = performance.now();
  const rotator = factory(bsk, params);
  const setupMs = performance.now() - setupStart;
  rotator.rotate(acc, mask); // warm-up: lets V8 tier up to optimized code
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    rotator.rotate(acc, mask);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return {
    implementation,
    'key setup ms': setupMs.toFixed(0),
    'ms / rotation (median)': times[Math.floor(runs / 2)].toFixed(1),
    'ms / rotation (min)': times[0].toFixed(1),
    runs,
  };
}

console.log(
  `blind rotation, n=${params.n} N=${params.N}, 1 thread, Node ${process.version}, ${cpus()[0]?.model}`,
);
console.table([
  measure('wasm SIMD kernel', createWasmBlindRotator, wasmRuns),
  measure('engine TypeScript (src/engine/pbs)', createTypeScriptBlindRotator, typeScriptRuns),
  measure('scalar TypeScript, same algorithm as wasm', createScalarBlindRotator, typeScriptRuns),
]);

/** Rotations per second with `threads` workers over one shared key, all rotating at once. */
async function measureThroughput(threads: number, runsPerThread: number) {
  const shared = sharedFourierBskOf(createWasmBlindRotator(bsk, params));
  const workers = Array.from({ length: threads }, () => startRotationWorker(shared));
  try {
    await Promise.all(workers.map((worker) => worker.rotate({ acc, mask, runs: 1 })));
    const start = performance.now();
    await Promise.all(workers.map((worker) => worker.rotate({ acc, mask, runs: runsPerThread })));
    const wallMs = performance.now() - start;
    return {
      threads,
      rotations: threads * runsPerThread,
      'wall ms': wallMs.toFixed(0),
      'rotations / s': ((threads * runsPerThread * 1000) / wallMs).toFixed(1),
    };
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

const throughput = [];
for (let threads = 1; threads <= cpus().length; threads++)
  throughput.push(await measureThroughput(threads, wasmRuns));
console.table(throughput);
