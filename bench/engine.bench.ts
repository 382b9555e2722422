/**
 * Engine benchmark (`npm run bench:engine`): single-thread latency of one KS+PBS (wasm SIMD and
 * TypeScript blind rotation) and of fhEVM ops on euint8 / euint64 (--types), next to node-tfhe's own wasm
 * bootstrapping measured in the same run (the marginal cost per block of `CompactCiphertextList.expand()`,
 * one keyswitch + PBS per block). CPU times are the figure to compare on a shared machine. Each op is
 * also run alone on a worker pool of all cores (`createPooledEvaluator`), so its wall time shows the
 * parallelism within one op. The op tables run the kernels FHE_KERNEL selects; bench/kernels.bench.ts then
 * times KS+PBS and the confidential transfer with each kernel (native, wasm, TypeScript) in the same run.
 *
 * Options: --types 8,64 (fhEVM widths to time), --skip-tfhe (no node-tfhe reference), --all (also the
 * slow ops: euint64 mul, encrypted shifts, div/rem), --skip-pool (no worker-pool rows, bench/pool.bench.ts),
 * --skip-depth (no sequential-vs-parallel carry tables on euint8/32/64, bench/depth.bench.ts).
 * Keys: FHE_KEYS_DIR (default .cache/test-keys).
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  CompactCiphertextList,
  set_server_key,
  TfheClientKey,
  TfheCompactPublicKey,
  TfheServerKey,
} from 'node-tfhe';
import { computeOp } from '../src/engine/compute-op.js';
import { decodeOperand, encodeResult } from '../src/engine/create-evaluator.js';
import { generateEvaluationKeys, loadEvaluationKeys } from '../src/engine/evaluation-keys.js';
import type { FhevmOperand } from '../src/engine/evaluator.js';
import { selectKernels } from '../src/engine/kernels.js';
import { PARAMS } from '../src/engine/params.js';
import { createTypeScriptBlindRotator } from '../src/engine/pbs/blind-rotate.js';
import { Bootstrapper } from '../src/engine/pbs/bootstrap.js';
import { KeyswitchModSwitch } from '../src/engine/pbs/keyswitch-modswitch.js';
import { lutOf } from '../src/engine/pbs/lut.js';
import { createPooledEvaluator } from '../src/engine/pool/pooled-evaluator.js';
import { BlockEvaluator } from '../src/engine/radix/block-evaluator.js';
import { createWasmBlindRotator } from '../src/engine/wasm/wasm-blind-rotator.js';
import { createWasmKeyswitcher } from '../src/engine/wasm/wasm-keyswitcher.js';
import { bitsOf, FheType, nameOf } from '../src/fhevm/fhe-types.js';
import { SERIALIZATION_LIMIT } from '../src/fhevm/limits.js';
import { FheOp, opName } from '../src/fhevm/operations.js';
import { decryptWithClientKey, encryptWithClientKey } from '../src/tfhe/client-ciphertexts.js';
import { benchDepth } from './depth.bench.js';
import { benchKernels } from './kernels.bench.js';
import { benchPool } from './pool.bench.js';

const { values: args } = parseArgs({
  options: {
    types: { type: 'string', default: '8,64' },
    'skip-tfhe': { type: 'boolean', default: false },
    all: { type: 'boolean', default: false },
    'skip-pool': { type: 'boolean', default: false },
    'skip-depth': { type: 'boolean', default: false },
  },
});

const keysDir = process.env.FHE_KEYS_DIR ?? join(import.meta.dirname, '..', '.cache', 'test-keys');
const clientKeyBytes = readFileSync(join(keysDir, 'client-key.bin'));
const clientKey = TfheClientKey.safe_deserialize(clientKeyBytes, SERIALIZATION_LIMIT);

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const now = () => performance.now();

let started = now();
const evalKeysPath = join(keysDir, 'eval-keys.bin');
const blob = existsSync(evalKeysPath) ? readFileSync(evalKeysPath) : generateEvaluationKeys(clientKeyBytes);
const generateMs = existsSync(evalKeysPath) ? undefined : now() - started;
started = now();
const keys = loadEvaluationKeys(blob);
// The op tables run the kernels FHE_KERNEL selects (native when built, else wasm); kernels.bench.ts compares them.
const kernels = selectKernels();
const bootstrapper = new Bootstrapper(keys, kernels.blindRotator, kernels.keyswitcher);
const ev = new BlockEvaluator(bootstrapper);
const loadMs = now() - started;
console.log(
  `evaluation keys: ${(blob.length / 2 ** 20).toFixed(1)} MiB` +
    (generateMs === undefined ? '' : `, generated in ${seconds(generateMs)}`) +
    `, loaded (masks expanded, Fourier BSK built) in ${seconds(loadMs)}`,
);

// One KS + PBS: wall median and CPU time (steadier on a shared machine), after warm-up.
const input = decodeOperand({
  type: FheType.Uint8,
  ciphertext: encryptWithClientKey(FheType.Uint8, 77n, clientKey),
});
const lwe = 'value' in input ? input.value.blocks[0]!.lwe : new BigUint64Array(0);
const lut = lutOf((x) => (x + 1) % 4);
function timePbs(label: string, b: Bootstrapper, reps: number): number {
  for (let i = 0; i < 2; i++) b.bootstrap(lwe, lut);
  const samples: number[] = [];
  const cpu = process.cpuUsage();
  for (let i = 0; i < reps; i++) {
    started = now();
    b.bootstrap(lwe, lut);
    samples.push(now() - started);
  }
  const cpuUsed = process.cpuUsage(cpu);
  samples.sort((x, y) => x - y);
  const cpuMs = (cpuUsed.user + cpuUsed.system) / 1000 / reps;
  console.log(
    `KS+PBS ours (${label}, 1 thread): wall median ${samples[reps >> 1]!.toFixed(1)} ms, ` +
      `min ${samples[0]!.toFixed(1)} ms; CPU ${cpuMs.toFixed(1)} ms`,
  );
  return cpuMs;
}
const pbsMs = timePbs(
  'wasm SIMD kernels',
  new Bootstrapper(keys, createWasmBlindRotator, createWasmKeyswitcher),
  20,
);
const tsPbsMs = timePbs(
  'TypeScript blind rotation',
  new Bootstrapper(keys, createTypeScriptBlindRotator, createWasmKeyswitcher),
  4,
);
const switcher = new KeyswitchModSwitch();
const lweLimbs = new Uint32Array(lwe.buffer, lwe.byteOffset, lwe.length * 2);
const switchedMask = new Uint32Array(PARAMS.smallDimension);
const keyswitchCpu = process.cpuUsage();
for (let i = 0; i < 20; i++) switcher.run(lweLimbs, keys.keyswitchKey, switchedMask);
const ksUsed = process.cpuUsage(keyswitchCpu);
console.log(
  `  of which keyswitch + modulus switch (TypeScript): CPU ${((ksUsed.user + ksUsed.system) / 20_000).toFixed(1)} ms`,
);

let tfhePerBlockMs: number | undefined;
if (!args['skip-tfhe']) {
  started = now();
  set_server_key(TfheServerKey.new(clientKey));
  const serverKeyMs = now() - started;
  const publicKey = TfheCompactPublicKey.new(clientKey);
  // CPU time, like ours: node-tfhe runs single-threaded wasm here.
  const expandMs = (push: (b: ReturnType<typeof CompactCiphertextList.builder>) => void) => {
    const builder = CompactCiphertextList.builder(publicKey);
    push(builder);
    const list = builder.build();
    const cpu = process.cpuUsage();
    list.expand();
    const used = process.cpuUsage(cpu);
    return (used.user + used.system) / 1000;
  };
  const small = expandMs((b) => b.push_u8(200));
  const large = expandMs((b) => b.push_u16(50_000));
  tfhePerBlockMs = (large - small) / 4;
  console.log(
    `node-tfhe wasm: server key ${seconds(serverKeyMs)}; expand u8 (4 blocks) ${seconds(small)}, ` +
      `u16 (8 blocks) ${seconds(large)} → ${tfhePerBlockMs.toFixed(1)} ms per block (KS+PBS)`,
  );
  console.log(
    `ratio ours / tfhe-rs-wasm per KS+PBS (CPU): wasm kernel ${(pbsMs / tfhePerBlockMs).toFixed(3)}, ` +
      `TypeScript kernel ${(tsPbsMs / tfhePerBlockMs).toFixed(3)}`,
  );
}

interface OpCase {
  op: FheOp;
  scalar?: bigint;
  slow?: boolean;
}
const OPS: OpCase[] = [
  { op: FheOp.Add },
  { op: FheOp.Add, scalar: 5n },
  { op: FheOp.Sub },
  { op: FheOp.Mul, slow: true },
  { op: FheOp.Mul, scalar: 3n },
  { op: FheOp.Div, scalar: 7n, slow: true },
  { op: FheOp.BitAnd },
  { op: FheOp.BitXor, scalar: 0x5an },
  { op: FheOp.Not },
  { op: FheOp.Neg },
  { op: FheOp.Eq },
  { op: FheOp.Ge },
  { op: FheOp.Lt, scalar: 100n },
  { op: FheOp.Min },
  { op: FheOp.Shl, scalar: 3n },
  { op: FheOp.Shl, slow: true },
  { op: FheOp.IfThenElse },
];
const COMPARISON = new Set<FheOp>([FheOp.Eq, FheOp.Ne, FheOp.Ge, FheOp.Gt, FheOp.Le, FheOp.Lt]);

// All-threads column: one pool for the whole table, each op run alone on it (intra-op parallelism).
const threads = availableParallelism();
started = now();
const pool = await createPooledEvaluator({ evaluationKeys: blob, threads });
const warmup: FhevmOperand = {
  type: FheType.Uint8,
  ciphertext: encryptWithClientKey(FheType.Uint8, 5n, clientKey),
};
// Warm-up: every thread loads its kernels and runs a batch.
await Promise.all(
  Array.from({ length: threads }, () =>
    pool.compute({ op: FheOp.BitXor, resultType: FheType.Uint8, operands: [warmup, warmup] }),
  ),
);
console.log(`pool of ${threads} threads: started and warmed up in ${seconds(now() - started)}`);

const widths = args.types.split(',').map((t) => Number(t));
const rows: string[][] = [];
const oddities: string[] = [];
try {
  for (const bits of widths) {
    const type = (
      [FheType.Uint8, FheType.Uint16, FheType.Uint32, FheType.Uint64, FheType.Uint128] as FheType[]
    ).find((t) => bitsOf(t) === bits);
    if (type === undefined) throw new Error(`--types: no fhEVM type of ${bits} bits`);
    const encrypt = (t: FheType, v: bigint): FhevmOperand => ({
      type: t,
      ciphertext: encryptWithClientKey(t, v, clientKey),
    });
    const a = encrypt(type, 200n);
    const b = encrypt(type, 77n);
    const control = encrypt(FheType.Bool, 1n);
    for (const c of OPS) {
      // Full-width mul and encrypted shifts are thousands of PBS at 64 bits: only with --all.
      if (c.slow && bits > 8 && !args.all) continue;
      const operands =
        c.op === FheOp.IfThenElse
          ? [control, a, b]
          : c.op === FheOp.Not || c.op === FheOp.Neg
            ? [a]
            : [a, c.scalar === undefined ? b : { scalar: c.scalar }];
      const decoded = operands.map(decodeOperand);
      const before = bootstrapper.count;
      const cpu = process.cpuUsage();
      const resultType = COMPARISON.has(c.op) ? FheType.Bool : type;
      started = now();
      const result = computeOp(ev, c.op, resultType, decoded);
      const wallMs = now() - started;
      const used = process.cpuUsage(cpu);
      const ms = (used.user + used.system) / 1000;
      const pbs = bootstrapper.count - before;

      // The same op alone on the pool; process CPU time covers every thread.
      const perThreadBefore = pool.pbsCountsPerThread();
      const poolCpu = process.cpuUsage();
      started = now();
      const pooled = await pool.compute({ op: c.op, resultType, operands });
      const poolWallMs = now() - started;
      const poolUsed = process.cpuUsage(poolCpu);
      const perThread = pool.pbsCountsPerThread().map((n, t) => n - perThreadBefore[t]!);
      const poolPbs = perThread.reduce((x, y) => x + y, 0);
      const label = `${opName(c.op)}${c.scalar === undefined ? '' : ' scalar'}`;
      const expected = decryptWithClientKey(resultType, encodeResult(result, resultType), clientKey);
      const got = decryptWithClientKey(resultType, pooled, clientKey);
      if (got !== expected)
        throw new Error(`${nameOf(type)} ${label}: pool gave ${got}, in-process ${expected}`);
      if (poolPbs !== pbs)
        oddities.push(`${nameOf(type)} ${label}: ${poolPbs} PBS on the pool vs ${pbs} in-process`);
      rows.push([
        nameOf(type),
        label,
        ms.toFixed(0),
        wallMs.toFixed(0),
        String(pbs),
        tfhePerBlockMs === undefined ? '-' : `${(ms / tfhePerBlockMs).toFixed(1)}`,
        poolWallMs.toFixed(0),
        ((poolUsed.user + poolUsed.system) / 1000 / poolWallMs).toFixed(2),
        perThread.join('/'),
        (wallMs / poolWallMs).toFixed(2),
      ]);
    }
  }
} finally {
  await pool.stop();
}

const header = [
  'type',
  'op',
  '1 thread: CPU ms',
  '1 thread: wall ms',
  'PBS',
  '1 thread: CPU in node-tfhe KS+PBS units',
  `${threads} threads: wall ms`,
  `${threads} threads: cores used`,
  `${threads} threads: PBS per thread`,
  'speed-up (wall)',
];
const widthsCol = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widthsCol[i]!)).join('  ');
console.log(`\n${line(header)}\n${line(widthsCol.map((w) => '-'.repeat(w)))}`);
for (const r of rows) console.log(line(r));
console.log(
  `1 thread = in-process BlockEvaluator (${kernels.label} kernels); PBS = bootstraps in the op; ` +
    (tfhePerBlockMs === undefined
      ? 'node-tfhe units: skipped (--skip-tfhe).'
      : `node-tfhe units = CPU ms / ${tfhePerBlockMs.toFixed(1)} ms, node-tfhe's single-thread wasm KS+PBS in this run.`),
);
console.log(
  `${threads} threads = the same op alone on a pool of ${threads} worker threads (createPooledEvaluator), ` +
    'its wall time including the ciphertext (de)serialization and thread messages that the 1-thread column leaves out; ' +
    'cores used = process CPU time / wall time (below the thread count when other jobs load the machine); ' +
    "PBS per thread = how the op's bootstraps were split; speed-up = 1-thread wall / pool wall.",
);
console.log(
  `machine: ${availableParallelism()} cores, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} (1/5/15 min) at the end of the table.`,
);
for (const o of oddities) console.log(`note: ${o}`);

// Kernels side by side (native, wasm, TypeScript): KS+PBS and the confidential transfer per kernel.
await benchKernels({ evaluationKeys: blob, keys, clientKey, tfhePerBlockMs });

// Worker pool (1 thread vs all): PBS throughput and the confidential transfer.
if (!args['skip-pool']) await benchPool({ evaluationKeys: blob, clientKey, tfhePerBlockMs });

// Carry algorithms: PBS, depth, measured and modelled latency, sequential beside parallel.
if (!args['skip-depth'])
  await benchDepth({ evaluationKeys: blob, clientKey, bits: [8, 32, 64], all: args.all });
