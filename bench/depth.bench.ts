/**
 * Bootstrap depth of the carry algorithms (the last tables of `npm run bench`; alone:
 * `npx tsx bench/depth.bench.ts --types 8,32,64`). For each op with a sequential and a parallel carry
 * algorithm, both forced: PBS, depth (bootstrap rounds), wall time on 1 thread (in-process) and on a
 * pool of all cores, and the latency modelled for 8 and 16 threads from the round widths and the
 * KS+PBS time measured here: Σ over rounds ⌈width / threads⌉ × t_PBS. Then the confidential transfer
 * on euint64 (ge, select, then sub and add side by side), also with the automatic choice.
 */

import { availableParallelism, loadavg } from 'node:os';
import type { TfheClientKey } from 'node-tfhe';
import type { RadixCiphertext } from '../src/engine/block.js';
import { computeOp } from '../src/engine/compute-op.js';
import { decodeOperand, encodeResult } from '../src/engine/create-evaluator.js';
import { loadEvaluationKeys } from '../src/engine/evaluation-keys.js';
import type { FhevmOperand } from '../src/engine/evaluator.js';
import { Bootstrapper } from '../src/engine/pbs/bootstrap.js';
import { lutOf } from '../src/engine/pbs/lut.js';
import { createPooledEvaluator, type PooledEvaluator } from '../src/engine/pool/pooled-evaluator.js';
import { type AlgorithmChoice, BlockEvaluator } from '../src/engine/radix/block-evaluator.js';
import { modelledPbsTimes } from '../src/engine/radix/schedule.js';
import { bitsOf, FheType, nameOf } from '../src/fhevm/fhe-types.js';
import { FheOp, opName } from '../src/fhevm/operations.js';
import { plaintextResult } from '../src/fhevm/plaintext-semantics.js';
import { decryptWithClientKey, encryptWithClientKey } from '../src/tfhe/client-ciphertexts.js';
import { checkedTransfer } from './confidential-transfer.js';

export interface DepthBenchOptions {
  evaluationKeys: Uint8Array;
  clientKey: TfheClientKey;
  /** fhEVM widths of the op table. */
  bits: number[];
  /** Also the slow ops above 32 bits. */
  all?: boolean;
}

const MODEL_THREADS = [8, 16];
const ALGORITHMS = ['sequential', 'parallel'] as const;
const BOOLEAN = new Set<FheOp>([FheOp.Ge, FheOp.Gt, FheOp.Le, FheOp.Lt]);
/** `slow`: above 32 bits only with `all` (euint64 mul is over a thousand PBS). */
const OPS: { op: FheOp; scalar?: bigint; slow?: boolean }[] = [
  { op: FheOp.Add },
  { op: FheOp.Add, scalar: 5n },
  { op: FheOp.Sub },
  { op: FheOp.Neg },
  { op: FheOp.Ge },
  { op: FheOp.Gt, scalar: 100n },
  { op: FheOp.Min },
  { op: FheOp.Mul, scalar: 3n },
  { op: FheOp.Mul, slow: true },
];

interface Schedule {
  widths: number[];
  ms: number;
}

export async function benchDepth(options: DepthBenchOptions): Promise<void> {
  const { clientKey } = options;
  const keys = loadEvaluationKeys(options.evaluationKeys);
  const bootstrapper = new Bootstrapper(keys);
  const evaluators = Object.fromEntries(
    ALGORITHMS.map((algorithm) => [algorithm, new BlockEvaluator(bootstrapper, { algorithm })]),
  ) as Record<(typeof ALGORITHMS)[number], BlockEvaluator>;
  const sample = decodeOperand({
    type: FheType.Uint8,
    ciphertext: encryptWithClientKey(FheType.Uint8, 77n, clientKey),
  });
  const pbsMs = medianPbsMs(
    bootstrapper,
    'value' in sample ? sample.value.blocks[0]!.lwe : new BigUint64Array(0),
  );
  const threads = availableParallelism();
  const pools = new Map<AlgorithmChoice, PooledEvaluator>();
  for (const algorithm of [...ALGORITHMS, 'auto'] as const) {
    const pool = await createPooledEvaluator({ evaluationKeys: options.evaluationKeys, threads, algorithm });
    await Promise.all(Array.from({ length: threads }, () => pool.compute(warmup(clientKey))));
    pools.set(algorithm, pool);
  }
  const encrypt = (type: FheType, value: bigint): FhevmOperand => ({
    type,
    ciphertext: encryptWithClientKey(type, value, clientKey),
  });

  /** Runs one op in-process on `ev`, recording its rounds. */
  const schedule = (
    ev: BlockEvaluator,
    run: () => RadixCiphertext,
  ): Schedule & { result: RadixCiphertext } => {
    ev.roundWidths = [];
    const started = performance.now();
    const result = run();
    const ms = performance.now() - started;
    const widths = ev.roundWidths;
    ev.roundWidths = undefined;
    return { widths, ms, result };
  };
  const modelled = (widths: number[]) =>
    MODEL_THREADS.map((t) => (modelledPbsTimes(widths, t) * pbsMs).toFixed(0));

  const header = [
    'type',
    'op',
    'algorithm',
    'PBS',
    'depth',
    '1 thread ms',
    `${threads} threads ms`,
    ...MODEL_THREADS.map((t) => `model ${t} threads ms`),
  ];
  try {
    const row = startTable(header, 7);
    for (const bits of options.bits) {
      const type = [FheType.Uint8, FheType.Uint16, FheType.Uint32, FheType.Uint64, FheType.Uint128].find(
        (t) => bitsOf(t) === bits,
      );
      if (type === undefined) throw new Error(`--types: no fhEVM type of ${bits} bits`);
      const a = 200n;
      const b = 77n;
      for (const c of OPS) {
        if (c.slow && bits > 32 && !options.all) continue;
        const operands =
          c.op === FheOp.Neg
            ? [encrypt(type, a)]
            : [encrypt(type, a), c.scalar === undefined ? encrypt(type, b) : { scalar: c.scalar }];
        const resultType = BOOLEAN.has(c.op) ? FheType.Bool : type;
        const expected = plaintextResult(c.op, type, a, c.scalar ?? b);
        const label = `${opName(c.op)}${c.scalar === undefined ? '' : ' scalar'}`;
        for (const algorithm of ALGORITHMS) {
          const ev = evaluators[algorithm];
          const decoded = operands.map(decodeOperand);
          const run = schedule(ev, () => computeOp(ev, c.op, resultType, decoded));
          const started = performance.now();
          const pooled = await pools.get(algorithm)!.compute({ op: c.op, resultType, operands });
          const poolMs = performance.now() - started;
          for (const bytes of [encodeResult(run.result, resultType), pooled]) {
            const got = decryptWithClientKey(resultType, bytes, clientKey);
            if (got !== expected)
              throw new Error(`${nameOf(type)} ${label} ${algorithm}: ${got}, want ${expected}`);
          }
          row([
            nameOf(type),
            label,
            algorithm,
            String(run.widths.reduce((x, y) => x + y, 0)),
            String(run.widths.length),
            run.ms.toFixed(0),
            poolMs.toFixed(0),
            ...modelled(run.widths),
          ]);
        }
      }
    }
    console.log(
      `t_PBS = ${pbsMs.toFixed(1)} ms (median KS+PBS wall time, 1 thread, this run); depth = bootstrap rounds ` +
        '(a batch of independent bootstraps or a lone bootstrap); model = Σ over rounds ⌈width / threads⌉ × t_PBS; ' +
        `${threads} threads = the op alone on a pool of ${threads} threads with that algorithm forced.`,
    );

    // The confidential transfer on euint64.
    const U64 = FheType.Uint64;
    const from = encrypt(U64, 1000n);
    const to = encrypt(U64, 50n);
    const amount = encrypt(U64, 300n);
    const transferRow = startTable(
      [
        'scenario',
        'algorithm',
        'PBS',
        'depth',
        '1 thread ms',
        `${threads} threads ms`,
        ...MODEL_THREADS.map((t) => `model ${t} threads ms`),
      ],
      29,
    );
    for (const algorithm of [...ALGORITHMS, 'auto'] as const) {
      const pool = pools.get(algorithm)!;
      let inProcess: string[] = ['-', '-', '-', ...MODEL_THREADS.map(() => '-')];
      if (algorithm !== 'auto') {
        const ev = evaluators[algorithm];
        const [f, t, m] = [from, to, amount].map(decodeOperand);
        const ge = schedule(ev, () => computeOp(ev, FheOp.Ge, FheType.Bool, [f!, m!]));
        const trivialZero = computeOp(ev, FheOp.TrivialEncrypt, U64, [{ scalar: 0n }]);
        const sel = schedule(ev, () =>
          computeOp(ev, FheOp.IfThenElse, U64, [
            { value: ge.result, type: FheType.Bool },
            m!,
            { value: trivialZero, type: U64 },
          ]),
        );
        const moved = { value: sel.result, type: U64 };
        const sub = schedule(ev, () => computeOp(ev, FheOp.Sub, U64, [f!, moved]));
        const add = schedule(ev, () => computeOp(ev, FheOp.Add, U64, [t!, moved]));
        // sub and add run side by side: their k-th rounds share the threads.
        const sideBySide = Array.from(
          { length: Math.max(sub.widths.length, add.widths.length) },
          (_, k) => (sub.widths[k] ?? 0) + (add.widths[k] ?? 0),
        );
        const widths = [...ge.widths, ...sel.widths, ...sideBySide];
        const pbs = [ge, sel, sub, add].reduce((s, x) => s + x.widths.reduce((p, q) => p + q, 0), 0);
        inProcess = [
          String(pbs),
          String(widths.length),
          (ge.ms + sel.ms + sub.ms + add.ms).toFixed(0),
          ...modelled(widths),
        ];
      }
      const started = performance.now();
      await checkedTransfer(pool, clientKey, from, to, amount);
      const poolMs = performance.now() - started;
      transferRow([
        'confidential transfer euint64',
        algorithm,
        inProcess[0]!,
        inProcess[1]!,
        inProcess[2]!,
        poolMs.toFixed(0),
        ...inProcess.slice(3),
      ]);
    }
    console.log(
      'transfer = ge, select(ge, amount, 0), then sub and add at once; depth and model count the rounds of ' +
        'sub and add together (round k of both shares the threads); auto = the pool choosing per op by its thread count.',
    );
    console.log(
      `machine: ${threads} cores, load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} (1/5/15 min) at the end.`,
    );
  } finally {
    await Promise.all([...pools.values()].map((p) => p.stop()));
  }
}

function warmup(clientKey: TfheClientKey) {
  const x: FhevmOperand = {
    type: FheType.Uint8,
    ciphertext: encryptWithClientKey(FheType.Uint8, 5n, clientKey),
  };
  return { op: FheOp.Add, resultType: FheType.Uint8, operands: [x, x] };
}

/** Median wall time of one KS+PBS of a real ciphertext block (a zero mask would skip work) after warm-up. */
function medianPbsMs(bootstrapper: Bootstrapper, lwe: BigUint64Array): number {
  const lut = lutOf((x) => x);
  for (let i = 0; i < 3; i++) bootstrapper.bootstrap(lwe, lut);
  const samples = Array.from({ length: 15 }, () => {
    const started = performance.now();
    bootstrapper.bootstrap(lwe, lut);
    return performance.now() - started;
  }).sort((x, y) => x - y);
  return samples[samples.length >> 1]!;
}

/** Prints the header now and returns a row printer, so a long run shows its rows as they come. */
function startTable(header: string[], firstColumnWidth: number): (row: string[]) => void {
  const widths = header.map((h, i) => Math.max(h.length, i === 0 ? firstColumnWidth : 10));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(`\n${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}`);
  return (row) => console.log(line(row));
}

// Run directly (not imported by engine.bench.ts).
if (process.argv[1]?.endsWith('depth.bench.ts')) {
  const { readFileSync, existsSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { parseArgs } = await import('node:util');
  const { TfheClientKey } = await import('node-tfhe');
  const { SERIALIZATION_LIMIT } = await import('../src/fhevm/limits.js');
  const { values } = parseArgs({
    options: { types: { type: 'string', default: '8,32,64' }, all: { type: 'boolean', default: false } },
  });
  const keysDir = process.env.FHE_KEYS_DIR ?? join(import.meta.dirname, '..', '.cache', 'test-keys');
  const evalKeysPath = join(keysDir, 'eval-keys.bin');
  if (!existsSync(evalKeysPath))
    throw new Error(`no ${evalKeysPath}: run npm test once to make the test keyset`);
  await benchDepth({
    evaluationKeys: readFileSync(evalKeysPath),
    clientKey: TfheClientKey.safe_deserialize(
      readFileSync(join(keysDir, 'client-key.bin')),
      SERIALIZATION_LIMIT,
    ),
    bits: values.types.split(',').map(Number),
    all: values.all,
  });
}
