/**
 * Kernel rows of `npm run bench:engine` (called from engine.bench.ts), also runnable alone
 * (`npx tsx bench/kernels.bench.ts`): one KS+PBS with the native, wasm and TypeScript kernels (CPU time,
 * 1 thread), and the ERC-7984 confidential transfer on euint64 per kernel on a pool of 1 and of all
 * threads. node-tfhe's KS+PBS comes from the caller's run (or this one's, when run alone).
 */

import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { TfheClientKey } from 'node-tfhe';
import { decodeOperand } from '../src/engine/create-evaluator.js';
import { type EvaluationKeys, loadEvaluationKeys } from '../src/engine/evaluation-keys.js';
import type { FhevmOperand } from '../src/engine/evaluator.js';
import { KERNEL_NAMES, type KernelName, selectKernels } from '../src/engine/kernels.js';
import { nativeAddonUnavailableReason } from '../src/engine/native/native-addon.js';
import { createTypeScriptBlindRotator } from '../src/engine/pbs/blind-rotate.js';
import { Bootstrapper } from '../src/engine/pbs/bootstrap.js';
import { createTypeScriptKeyswitcher } from '../src/engine/pbs/keyswitch-kernel.js';
import { lutOf } from '../src/engine/pbs/lut.js';
import { createPooledEvaluator, type PooledEvaluator } from '../src/engine/pool/pooled-evaluator.js';
import { FheType } from '../src/fhevm/fhe-types.js';
import { SERIALIZATION_LIMIT } from '../src/fhevm/limits.js';
import { encryptWithClientKey } from '../src/tfhe/client-ciphertexts.js';
import { checkedTransfer } from './confidential-transfer.js';

export interface KernelBenchOptions {
  evaluationKeys: Uint8Array;
  keys: EvaluationKeys;
  clientKey: TfheClientKey;
  /** node-tfhe's CPU ms per KS+PBS from the same run, if measured. */
  tfhePerBlockMs: number | undefined;
}

const U64 = FheType.Uint64;
const TRANSFER_REPS = 3;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

interface BootstrapTiming {
  cpuMs: number;
  wallMs: number;
  minMs: number;
  /** Wall ms per round, in turn order with the other bootstrappers' (for paired ratios). */
  walls: number[];
}

/**
 * CPU and wall ms of one KS+PBS per bootstrapper, medians over `reps[i]` after two warm-ups. The
 * bootstrappers take turns, one bootstrap each, so that this shared machine's slow spells (which last
 * seconds) hit every kernel alike instead of whichever was timed then.
 */
function timeBootstraps(
  bootstrappers: Bootstrapper[],
  reps: number[],
  lwe: BigUint64Array,
): BootstrapTiming[] {
  const lut = lutOf((x) => (x + 1) % 4);
  for (const b of bootstrappers) for (let i = 0; i < 2; i++) b.bootstrap(lwe, lut);
  const cpu: number[][] = bootstrappers.map(() => []);
  const wall: number[][] = bootstrappers.map(() => []);
  for (let round = 0; round < Math.max(...reps); round++) {
    bootstrappers.forEach((b, k) => {
      if (round >= reps[k]!) return;
      const used = process.cpuUsage();
      const started = performance.now();
      b.bootstrap(lwe, lut);
      wall[k]!.push(performance.now() - started);
      const after = process.cpuUsage(used);
      cpu[k]!.push((after.user + after.system) / 1000);
    });
  }
  return bootstrappers.map((_, k) => ({
    cpuMs: median(cpu[k]!),
    wallMs: median(wall[k]!),
    minMs: Math.min(...wall[k]!),
    walls: wall[k]!,
  }));
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(`\n${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}`);
  for (const r of rows) console.log(line(r));
}

export async function benchKernels(options: KernelBenchOptions): Promise<void> {
  const { keys, clientKey, tfhePerBlockMs } = options;
  const missing = nativeAddonUnavailableReason();
  const kernels = KERNEL_NAMES.filter((k) => k !== 'native' || missing === undefined);
  if (missing !== undefined) console.log(`native kernel rows skipped: ${missing}`);
  const input = decodeOperand({
    type: FheType.Uint8,
    ciphertext: encryptWithClientKey(FheType.Uint8, 77n, clientKey),
  });
  const lwe = 'value' in input ? input.value.blocks[0]!.lwe : new BigUint64Array(0);

  const selected = kernels.map((name) => selectKernels(name));
  const labels = [...selected.map((k) => k.label), 'TypeScript'];
  const timings = timeBootstraps(
    [
      ...selected.map((k) => new Bootstrapper(keys, k.blindRotator, k.keyswitcher)),
      new Bootstrapper(keys, createTypeScriptBlindRotator, createTypeScriptKeyswitcher),
    ],
    [...selected.map(() => 30), 3],
    lwe,
  );
  const pbsRows = labels.map((label, k) => [label, timings[k]!] as const);
  const wasm = pbsRows.find(([label]) => label.startsWith('wasm'))![1];
  const wasmCpu = wasm.cpuMs;
  // The median of per-round ratios: each pair of bootstraps ran back to back, under the same load.
  const pairedVsWasm = (t: BootstrapTiming) => median(t.walls.map((w, round) => wasm.walls[round]! / w));
  printTable(
    [
      'KS+PBS, 1 thread',
      'CPU ms (median)',
      'wall ms (median)',
      'wall ms (min)',
      'vs wasm (CPU)',
      'vs wasm (paired wall)',
      'vs node-tfhe (CPU)',
    ],
    [
      ...pbsRows.map(([label, t]) => [
        label,
        t.cpuMs.toFixed(2),
        t.wallMs.toFixed(2),
        t.minMs.toFixed(2),
        `${(wasmCpu / t.cpuMs).toFixed(2)}x`,
        `${pairedVsWasm(t).toFixed(2)}x`,
        tfhePerBlockMs === undefined ? '-' : `${(tfhePerBlockMs / t.cpuMs).toFixed(1)}x`,
      ]),
      ...(tfhePerBlockMs === undefined
        ? []
        : [
            [
              'node-tfhe wasm',
              tfhePerBlockMs.toFixed(1),
              '-',
              '-',
              `${(wasmCpu / tfhePerBlockMs).toFixed(3)}x`,
              '-',
              '1x',
            ],
          ]),
    ],
  );

  // Confidential transfer per kernel: pools of 1 and all threads stay up and take turns, so the
  // machine's load (shared with other jobs) hits every configuration alike.
  const encrypt = (value: bigint): FhevmOperand => ({
    type: U64,
    ciphertext: encryptWithClientKey(U64, value, clientKey),
  });
  const operands = [encrypt(1000n), encrypt(50n), encrypt(300n)];
  const all = availableParallelism();
  const pools: { kernel: KernelName; pool: PooledEvaluator; wall: number[]; cores: number[] }[] = [];
  try {
    for (const kernel of kernels) {
      for (const threads of all > 1 ? [1, all] : [1]) {
        const pool = await createPooledEvaluator({ evaluationKeys: options.evaluationKeys, threads, kernel });
        await checkedTransfer(pool, clientKey, ...(operands as [FhevmOperand, FhevmOperand, FhevmOperand])); // warm-up
        pools.push({ kernel, pool, wall: [], cores: [] });
      }
    }
    for (let rep = 0; rep < TRANSFER_REPS; rep++) {
      for (const entry of pools) {
        const cpu = process.cpuUsage();
        const started = performance.now();
        await checkedTransfer(
          entry.pool,
          clientKey,
          ...(operands as [FhevmOperand, FhevmOperand, FhevmOperand]),
        );
        const wallMs = performance.now() - started;
        const used = process.cpuUsage(cpu);
        entry.wall.push(wallMs);
        entry.cores.push((used.user + used.system) / 1000 / wallMs);
      }
    }
  } finally {
    await Promise.all(pools.map(({ pool }) => pool.stop()));
  }
  printTable(
    [
      `confidential transfer euint64 (median of ${TRANSFER_REPS})`,
      'threads',
      'wall ms',
      'min ms',
      'cores used',
    ],
    pools.map(({ pool, wall, cores }) => [
      pool.kernel,
      String(pool.threads),
      median(wall).toFixed(0),
      Math.min(...wall).toFixed(0),
      median(cores).toFixed(2),
    ]),
  );
  console.log(
    `machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${all} cores, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (1/5/15 min) after the kernel tables.`,
  );
}

// Run alone: the test keyset (FHE_KEYS_DIR), no node-tfhe reference (engine.bench.ts measures it).
if (import.meta.url === `file://${process.argv[1]}`) {
  const keysDir = process.env.FHE_KEYS_DIR ?? join(import.meta.dirname, '..', '.cache', 'test-keys');
  const evaluationKeys = readFileSync(join(keysDir, 'eval-keys.bin'));
  await benchKernels({
    evaluationKeys,
    keys: loadEvaluationKeys(evaluationKeys),
    clientKey: TfheClientKey.safe_deserialize(
      readFileSync(join(keysDir, 'client-key.bin')),
      SERIALIZATION_LIMIT,
    ),
    tfhePerBlockMs: undefined,
  });
}
