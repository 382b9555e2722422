/**
 * `npx tsx bench/postgres-workers.bench.ts [--transfers 8] [--queue 1000] [--keys-dir .cache/test-keys]`,
 * on a throwaway PostgreSQL cluster (the server binaries of Debian's `postgresql` package):
 *
 * 1. the queue's own overhead per computation: claim + store of a result (1 KiB of bytes, no FHE), in
 *    batches of 10, one process;
 * 2. the throughput of independent euint64 transfers (balance ≥ amount ? balance − amount : balance, both
 *    encrypted: Ge, Sub, IfThenElse) computed by 1, then 2 `fhe coprocessor worker` processes of one engine
 *    thread each, in the same run. The workers are started and idle before the work is written, so
 *    their start-up is not timed; every result is decrypted and checked.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { Hex } from 'viem';
import { openPostgresStore, type PostgresCoprocessorStore } from '../src/coprocessor/postgres-store.js';
import type { IngestedBlock, NewComputation } from '../src/coprocessor/store.js';
import { FheType } from '../src/fhevm/fhe-types.js';
import { FheOp } from '../src/fhevm/operations.js';
import { decryptWithClientKey, encryptWithClientKey } from '../src/tfhe/client-ciphertexts.js';
import { handle, hash32, testKeyset } from '../test/coprocessor/helpers.js';
import { startTestPostgres } from '../test/postgres-cluster.js';

const { values: args } = parseArgs({
  options: {
    transfers: { type: 'string', default: '8' },
    queue: { type: 'string', default: '1000' },
  },
});
const FHE = new URL('../bin/dev.js', import.meta.url).pathname;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

const block = (number: number, computations: NewComputation[]): IngestedBlock => ({
  number,
  hash: hash32(number, 0xbb),
  parentHash: hash32(number - 1, 0xbb),
  computations,
  allowed: [],
  delegations: [],
});

function computation(
  output: Hex,
  op: FheOp,
  resultType: FheType,
  operands: Hex[],
  logIndex: number,
): NewComputation {
  return {
    outputHandle: output,
    txHash: hash32(logIndex, 0xcc),
    op,
    resultType,
    operands: operands.map((h) => ({ handle: h })),
    isScalar: false,
    seed: null,
    blockNumber: 1,
    logIndex,
  };
}

async function queueOverhead(store: PostgresCoprocessorStore, count: number): Promise<number> {
  const inputs = [handle(1), handle(2)];
  await store.insertInputCiphertexts(
    inputs.map((h, index) => ({
      handle: h,
      type: FheType.Uint8,
      bytes: new Uint8Array(8),
      blobHash: hash32(9),
      index,
    })),
  );
  const rows = Array.from({ length: count }, (_, i) =>
    computation(handle(100 + i), FheOp.Add, FheType.Uint8, inputs, i),
  );
  await store.ingestBlock(block(1, rows));
  const bytes = new Uint8Array(1024);
  const started = performance.now();
  for (;;) {
    const claimed = await store.claimComputations({
      worker: 'bench',
      limit: 10,
      leaseMs: 30_000,
      now: Date.now(),
    });
    if (claimed.length === 0) break;
    for (const c of claimed) await store.completeComputation(c, { type: c.resultType, bytes });
  }
  return (performance.now() - started) / count;
}

function startWorker(url: string, keysDir: string, id: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      FHE,
      'coprocessor',
      'worker',
      '--keys-dir',
      keysDir,
      '--worker-id',
      id,
      '--coprocessor-fhe-threads',
      '1',
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, FHE_DATABASE_URL: url, FHE_LOG_LEVEL: 'info' },
    },
  );
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('worker started')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker ${id} exited (${code}):\n${output}`)));
  });
}

async function transfersWith(workers: number, url: string, transfers: number): Promise<number> {
  const keys = testKeyset();
  const store = await openPostgresStore(url);
  const children = await Promise.all(
    Array.from({ length: workers }, (_, i) => startWorker(url, keys.dir, `w${i}`)),
  );
  try {
    const rows: NewComputation[] = [];
    const inputs = [];
    const expected: { handle: Hex; value: bigint }[] = [];
    for (let t = 0; t < transfers; t++) {
      const [balance, amount] = [1000n + BigInt(t), t % 3 === 0 ? 5000n : 7n * BigInt(t + 1)];
      const [b, a] = [handle(10 * t + 1, FheType.Uint64), handle(10 * t + 2, FheType.Uint64)];
      for (const [index, [h, value]] of (
        [
          [b, balance],
          [a, amount],
        ] as const
      ).entries()) {
        inputs.push({
          handle: h,
          type: FheType.Uint64,
          bytes: encryptWithClientKey(FheType.Uint64, value, keys.clientKey),
          blobHash: hash32(t),
          index,
        });
      }
      const [enough, rest, next] = [
        handle(10 * t + 3, FheType.Bool),
        handle(10 * t + 4, FheType.Uint64),
        handle(10 * t + 5, FheType.Uint64),
      ];
      rows.push(computation(enough, FheOp.Ge, FheType.Bool, [b, a], 3 * t));
      rows.push(computation(rest, FheOp.Sub, FheType.Uint64, [b, a], 3 * t + 1));
      rows.push(computation(next, FheOp.IfThenElse, FheType.Uint64, [enough, rest, b], 3 * t + 2));
      expected.push({ handle: next, value: balance >= amount ? balance - amount : balance });
    }
    await store.insertInputCiphertexts(inputs);
    const started = performance.now();
    await store.ingestBlock(block(1, rows));
    while ((await store.counts()).computations.done < rows.length) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    for (const { handle: h, value } of expected) {
      const got = decryptWithClientKey(FheType.Uint64, (await store.getCiphertext(h))!.bytes, keys.clientKey);
      if (got !== value) throw new Error(`transfer result ${h}: ${got}, expected ${value}`);
    }
    return transfers / seconds;
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await store.close();
  }
}

const cluster = await startTestPostgres();
try {
  const transfers = Number(args.transfers);
  const queueStore = await openPostgresStore(await cluster.createDatabase());
  const overheadMs = await queueOverhead(queueStore, Number(args.queue));
  await queueStore.close();
  console.log(
    `queue overhead (claim + store, no FHE): ${overheadMs.toFixed(2)} ms per computation; load ${load()}`,
  );
  const rates: number[] = [];
  for (const workers of [1, 2]) {
    const rate = await transfersWith(workers, await cluster.createDatabase(), transfers);
    rates.push(rate);
    console.log(
      `${workers} worker(s): ${rate.toFixed(3)} euint64 transfers/s (${transfers} transfers); load ${load()}`,
    );
  }
  console.log(`ratio 2 workers / 1 worker: ${(rates[1]! / rates[0]!).toFixed(2)}`);
} finally {
  await cluster.stop();
}
