// Blind rotation micro-benchmark, real PBS parameters (n=918, N=2048, base 2^23 x 1 level), one thread.
// Usage: npx tsx bench/blind-rotate.bench.ts [--runs 10] [--ts-runs 3] [--node-tfhe]
// Then the wasm throughput with 1..cores worker threads sharing one Fourier BSK. --node-tfhe adds
// tfhe-rs's own wasm (node-tfhe) as a reference: it has no PBS API, so one KS+PBS is timed as a quarter of
// CompactCiphertextList.expand() of one FheUint8 (4 blocks, each cast by a keyswitch and a PBS).
// Cost does not depend on the key material, so the BSK is random words (not a valid GGSW); every mask
// value is non-zero, the worst case (918 external products).
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import {
  CompactCiphertextList,
  ShortintCompactPublicKeyEncryptionParameters,
  ShortintCompactPublicKeyEncryptionParametersName,
  set_server_key,
  TfheClientKey,
  TfheCompactPublicKey,
  TfheConfigBuilder,
  TfheServerKey,
} from 'node-tfhe';
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
const { values: options } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    'ts-runs': { type: 'string', default: '3' },
    'node-tfhe': { type: 'boolean', default: false },
  },
});
const wasmRuns = Number(options.runs);
const typeScriptRuns = Number(options['ts-runs']);

const rng = createRng(2026);
const bsk = randomU64Poly(rng, params.n * 4 * params.N);
const acc = randomU64Poly(rng, 2 * params.N);
const mask = Uint32Array.from({ length: params.n }, () => 1 + (rng() % (2 * params.N - 1)));

interface Row {
  implementation: string;
  'key setup ms': string;
  'ms each (median)': string;
  'ms each (min)': string;
  'CPU ms each (median)': string;
  runs: number;
}

interface Sample {
  wallMs: number;
  cpuMs: number;
}

/** Wall and CPU time of `work` divided by `count`; CPU time is steadier on a machine shared with other jobs. */
function timed(work: () => void, count = 1): Sample {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  work();
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  return { wallMs: wallMs / count, cpuMs: (cpu.user + cpu.system) / 1000 / count };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function summarize(implementation: string, setupMs: number, samples: Sample[]): Row {
  const wall = samples.map((sample) => sample.wallMs);
  return {
    implementation,
    'key setup ms': setupMs.toFixed(0),
    'ms each (median)': median(wall).toFixed(1),
    'ms each (min)': Math.min(...wall).toFixed(1),
    'CPU ms each (median)': median(samples.map((sample) => sample.cpuMs)).toFixed(1),
    runs: samples.length,
  };
}

function measure(implementation: string, factory: BlindRotatorFactory, runs: number): Row {
  const setupStart = performance.now();
  const rotator = factory(bsk, params);
  const setupMs = performance.now() - setupStart;
  rotator.rotate(acc, mask); // warm-up: lets V8 tier up to optimized code
  const samples = Array.from({ length: runs }, () => timed(() => rotator.rotate(acc, mask)));
  return summarize(implementation, setupMs, samples);
}

function measureNodeTfhe(runs: number): Row {
  const pke = new ShortintCompactPublicKeyEncryptionParameters(
    ShortintCompactPublicKeyEncryptionParametersName.PARAM_PKE_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128,
  );
  const config = TfheConfigBuilder.default().use_dedicated_compact_public_key_parameters(pke).build();
  const clientKey = TfheClientKey.generate(config);
  const publicKey = TfheCompactPublicKey.new(clientKey);
  const setupStart = performance.now();
  set_server_key(TfheServerKey.new(clientKey));
  const setupMs = performance.now() - setupStart;
  const blocks = 4;
  const samples = Array.from({ length: runs }, (_, run) => {
    const builder = CompactCiphertextList.builder(publicKey);
    builder.push_u8(run);
    const list = builder.build();
    return timed(() => list.expand(), blocks);
  });
  const { version } = createRequire(import.meta.url)('node-tfhe/package.json') as { version: string };
  return summarize(`node-tfhe ${version}: one KS+PBS (expand / ${blocks})`, setupMs, samples);
}

console.log(
  `blind rotation, n=${params.n} N=${params.N}, 1 thread, Node ${process.version}, ${cpus()[0]?.model}`,
);
console.table([
  measure('wasm SIMD kernel', createWasmBlindRotator, wasmRuns),
  measure('engine TypeScript (src/engine/pbs)', createTypeScriptBlindRotator, typeScriptRuns),
  measure('scalar TypeScript, same algorithm as wasm', createScalarBlindRotator, typeScriptRuns),
  ...(options['node-tfhe'] ? [measureNodeTfhe(typeScriptRuns)] : []),
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
