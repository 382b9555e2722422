/**
 * Worker-pool rows of `npm run bench:engine` (called from engine.bench.ts): PBS throughput and the
 * ERC-7984 confidential transfer on FheUint64 (ge, select, then add and sub in parallel), each with
 * 1 thread and all threads. Wall times: parallelism is the point. node-tfhe exposes no integer ops,
 * so its column is our PBS count at node-tfhe's KS+PBS cost measured in the same run (1 thread).
 */
import { availableParallelism } from 'node:os';
import type { TfheClientKey } from 'node-tfhe';
import type { FhevmOperand } from '../src/engine/evaluator.js';
import { createPooledEvaluator, type PooledEvaluator } from '../src/engine/pool/pooled-evaluator.js';
import { FheType } from '../src/fhevm/fhe-types.js';
import { FheOp } from '../src/fhevm/operations.js';
import { encryptWithClientKey } from '../src/tfhe/client-ciphertexts.js';
import { checkedTransfer } from './confidential-transfer.js';

export interface PoolBenchOptions {
  evaluationKeys: Uint8Array;
  clientKey: TfheClientKey;
  /** node-tfhe's CPU ms per KS+PBS, from the same run. */
  tfhePerBlockMs: number | undefined;
}

const U64 = FheType.Uint64;
const CONCURRENT_OPS = 4;
const REPS = 3;

interface Measured {
  wallMs: number;
  cpuMs: number;
  pbs: number;
}

async function measure(pool: PooledEvaluator, run: () => Promise<void>): Promise<Measured> {
  const pbsBefore = pool.pbsCount();
  const cpu = process.cpuUsage();
  const started = performance.now();
  await run();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000, pbs: pool.pbsCount() - pbsBefore };
}

export async function benchPool(options: PoolBenchOptions): Promise<void> {
  const { clientKey, tfhePerBlockMs } = options;
  const encrypt = (type: FheType, value: bigint): FhevmOperand => ({
    type,
    ciphertext: encryptWithClientKey(type, value, clientKey),
  });
  const a = encrypt(U64, 0x0123456789abcdefn);
  const b = encrypt(U64, 0xfedcba9876543210n);
  const from = encrypt(U64, 1000n);
  const to = encrypt(U64, 50n);
  const amount = encrypt(U64, 300n);
  const xor = { op: FheOp.BitXor, resultType: U64, operands: [a, b] };

  const transfer = (pool: PooledEvaluator) => checkedTransfer(pool, clientKey, from, to, amount);

  // Both pools stay up and take turns, so the machine's load (shared with other jobs) hits both alike.
  const all = availableParallelism();
  const pools: PooledEvaluator[] = [];
  for (const threads of all > 1 ? [1, all] : [1]) {
    const started = performance.now();
    const pool = await createPooledEvaluator({ evaluationKeys: options.evaluationKeys, threads });
    console.log(
      `pool of ${threads}: started (keys shared, threads ready) in ${(performance.now() - started).toFixed(0)} ms`,
    );
    // Warm-up: every thread compiles its hot paths and fills its LUT cache.
    await Promise.all(Array.from({ length: threads }, () => pool.compute(xor)));
    pools.push(pool);
  }
  const scenarios: [string, (pool: PooledEvaluator) => Promise<void>][] = [
    [
      `${CONCURRENT_OPS} concurrent euint64 xor (PBS throughput)`,
      async (pool) => {
        await Promise.all(Array.from({ length: CONCURRENT_OPS }, () => pool.compute(xor)));
      },
    ],
    [
      'one euint64 xor (its 32 PBS as one batch)',
      async (pool) => {
        await pool.compute(xor);
      },
    ],
    ['confidential transfer euint64', transfer],
  ];
  const rows: string[][] = [];
  try {
    for (const [label, run] of scenarios) {
      const samples = pools.map((): Measured[] => []);
      for (let rep = 0; rep < REPS; rep++) {
        for (const [p, pool] of pools.entries()) samples[p]!.push(await measure(pool, () => run(pool)));
      }
      for (const [p, pool] of pools.entries()) {
        const sorted = samples[p]!.sort((x, y) => x.wallMs - y.wallMs);
        const median = sorted[REPS >> 1]!;
        const tfheMs = tfhePerBlockMs === undefined ? undefined : median.pbs * tfhePerBlockMs;
        rows.push([
          label,
          String(pool.threads),
          median.wallMs.toFixed(0),
          sorted[0]!.wallMs.toFixed(0),
          String(median.pbs),
          ((median.pbs / median.wallMs) * 1000).toFixed(1),
          (median.cpuMs / median.wallMs).toFixed(2),
          tfheMs === undefined ? '-' : tfheMs.toFixed(0),
          tfheMs === undefined ? '-' : `${(tfheMs / median.wallMs).toFixed(1)}x`,
        ]);
      }
    }
  } finally {
    await Promise.all(pools.map((pool) => pool.stop()));
  }

  const header = [
    `pool (median of ${REPS})`,
    'threads',
    'wall ms',
    'min ms',
    'PBS',
    'PBS/s',
    'cores used',
    'node-tfhe ms (est.)',
    'speed-up',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(`\n${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}`);
  for (const r of rows) console.log(line(r));
  console.log('cores used = CPU time / wall time (below the thread count when other jobs load the machine).');
  if (tfhePerBlockMs !== undefined) {
    console.log(
      `node-tfhe (est.) = PBS x ${tfhePerBlockMs.toFixed(1)} ms, its single-thread wasm KS+PBS CPU time in this run.`,
    );
  }
}
