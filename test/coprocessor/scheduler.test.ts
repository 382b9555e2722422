import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CoprocessorMetrics } from '../../src/coprocessor/metrics.js';
import { Scheduler } from '../../src/coprocessor/scheduler.js';
import { openSqliteStore, type SqliteCoprocessorStore } from '../../src/coprocessor/sqlite-store.js';
import type { NewComputation } from '../../src/coprocessor/store.js';
import type { FheEvaluator, FhevmComputation } from '../../src/engine/evaluator.js';
import { FheType } from '../../src/fhevm/fhe-types.js';
import { FheOp } from '../../src/fhevm/operations.js';
import { handle, hash32, scalar32, tempDir, until } from './helpers.js';

/**
 * Test double (this file only): a "ciphertext" is one plaintext byte, so results are checkable without
 * FHE. The real engine is exercised by the end-to-end test.
 */
class PlaintextEvaluator implements FheEvaluator {
  calls: FhevmComputation[] = [];
  running = 0;
  maxRunning = 0;
  failOp: number | undefined;
  /** Like the engine's in-thread evaluator: compute() blocks the event loop for this long. */
  blockingMs = 0;
  /** Bootstraps "run" so far, like the engine pool's counter (shared by concurrent computes). */
  pbs = 0;

  pbsCount(): number {
    return this.pbs;
  }

  async compute(computation: FhevmComputation): Promise<Uint8Array> {
    this.calls.push(computation);
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      if (this.blockingMs > 0) {
        const until = performance.now() + this.blockingMs;
        while (performance.now() < until);
      } else {
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
      if (computation.op === this.failOp) throw new Error('engine exploded');
      const values = computation.operands.map((o) => ('scalar' in o ? o.scalar : BigInt(o.ciphertext[0])));
      switch (computation.op) {
        case FheOp.Add:
          this.pbs += 3;
          return new Uint8Array([Number((values[0] + values[1]) % 256n)]);
        case FheOp.TrivialEncrypt:
          return new Uint8Array([Number(values[0])]);
        default:
          throw new Error(`op ${computation.op} not in the double`);
      }
    } finally {
      this.running--;
    }
  }

  async stop(): Promise<void> {}
}

const silent = pino({ level: 'silent' });
let blockNumber = 0;

function computation(output: number, operands: NewComputation['operands'], op: FheOp = FheOp.Add, tx = 1) {
  return {
    outputHandle: handle(output),
    txHash: hash32(tx, 0xcc),
    op,
    resultType: FheType.Uint8,
    operands,
    isScalar: operands.some((o) => 'scalar' in o),
    seed: null,
    blockNumber: 0,
    logIndex: output,
  } satisfies NewComputation;
}

describe('Scheduler', () => {
  let dir: { dir: string; cleanup: () => void };
  let store: SqliteCoprocessorStore;
  let evaluator: PlaintextEvaluator;
  let scheduler: Scheduler;

  async function ingest(...computations: NewComputation[]) {
    const cursor = await store.getCursor();
    const number = blockNumber++;
    await store.ingestBlock({
      number,
      hash: hash32(number, 0xbb),
      parentHash: cursor?.hash ?? hash32(0, 0x00),
      computations: computations.map((c) => ({ ...c, blockNumber: number })),
      allowed: [],
      delegations: [],
    });
    scheduler.wake();
  }

  const input = (n: number, value: number) =>
    store.insertInputCiphertexts([
      {
        handle: handle(n),
        type: FheType.Uint8,
        bytes: new Uint8Array([value]),
        blobHash: hash32(n),
        index: 0,
      },
    ]);
  const plaintextOf = async (n: number) => (await store.getCiphertext(handle(n)))?.bytes[0];
  const statusOf = async (n: number, tx = 1) => (await stored(n, tx))?.status;
  const stored = async (n: number, tx = 1) =>
    (await store.computationsFor(handle(n))).find((c) => c.txHash === hash32(tx, 0xcc));

  function start(concurrency = 4) {
    const metrics = new CoprocessorMetrics(async () => ({
      pending: 0,
      ready: 0,
      inFlight: 0,
      failed: 0,
      headBlock: null,
      cursorBlock: null,
    }));
    scheduler = new Scheduler({
      store,
      evaluator,
      metrics,
      logger: silent,
      concurrency,
      retryDelayMs: 10,
      maxAttempts: 2,
      pollIntervalMs: 50,
    });
    scheduler.start();
    return metrics;
  }

  beforeEach(() => {
    dir = tempDir();
    store = openSqliteStore(join(dir.dir, 'coprocessor.db'));
    evaluator = new PlaintextEvaluator();
    blockNumber = 0;
  });
  afterEach(async () => {
    await scheduler.stop();
    await store.close();
    dir.cleanup();
  });

  it('computes a dependency chain in order and waits for a missing operand', async () => {
    start();
    await input(1, 200);
    await input(2, 100);
    // 10 = 1 + 2; 11 = 10 + 7 (scalar); 12 = 99 + 1 where 99 is not there yet.
    await ingest(
      computation(10, [{ handle: handle(1) }, { handle: handle(2) }]),
      computation(11, [{ handle: handle(10) }, { scalar: scalar32(0x1207n) }]),
      computation(12, [{ handle: handle(99) }, { handle: handle(1) }]),
    );
    await until(async () => (await statusOf(11)) === 'done', 5000, 'chain');
    expect(await plaintextOf(10)).toBe(44); // (200 + 100) mod 256
    expect(await plaintextOf(11)).toBe(51); // scalar 0x1207 truncated to 8 bits = 7
    expect(await statusOf(12)).toBe('pending');

    await input(99, 5);
    scheduler.wake();
    await until(async () => (await statusOf(12)) === 'done', 5000, 'late operand');
    expect(await plaintextOf(12)).toBe(205);
    expect(evaluator.calls).toHaveLength(3);
  });

  it('records a failing computation with its error and attempts without blocking other work', async () => {
    const metrics = start();
    evaluator.failOp = FheOp.TrivialEncrypt;
    await input(1, 1);
    await ingest(
      computation(20, [{ scalar: scalar32(9n) }], FheOp.TrivialEncrypt),
      computation(21, [{ handle: handle(1) }, { handle: handle(1) }]),
      computation(22, [{ handle: handle(20) }, { handle: handle(1) }]),
    );
    await until(async () => (await statusOf(20)) === 'error', 5000, 'error status');
    expect(await stored(20)).toMatchObject({
      error: 'engine exploded',
      attempts: 2,
    });
    expect(await plaintextOf(21)).toBe(2);
    // 22 consumes 20: it can never be computed, so it fails with it instead of waiting forever.
    expect(await stored(22)).toMatchObject({
      status: 'error',
      error: `operand ${handle(20)} failed: engine exploded`,
      attempts: 0,
    });
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'fhekit_coprocessor_computations_total{op="TrivialEncrypt",type="euint8",outcome="error"} 1',
    );
    expect(text).toContain(
      'fhekit_coprocessor_computations_total{op="Add",type="euint8",outcome="computed"} 1',
    );
  });

  it('never runs more than `concurrency` computations at once', async () => {
    start(2);
    await input(1, 1);
    await ingest(
      ...[30, 31, 32, 33, 34, 35].map((n) => computation(n, [{ handle: handle(1) }, { handle: handle(1) }])),
    );
    await until(async () => (await store.counts()).computations.done === 6, 5000, 'all done');
    expect(evaluator.maxRunning).toBe(2);
  });

  it('lets timers and I/O run between computations of an evaluator that blocks the event loop', async () => {
    evaluator.blockingMs = 40;
    start(1);
    await input(1, 1);
    await ingest(
      ...[50, 51, 52, 53, 54, 55, 56, 57].map((n) =>
        computation(n, [{ handle: handle(1) }, { handle: handle(1) }]),
      ),
    );
    const doneWhenTimerFired = await new Promise<number>((resolve) =>
      setTimeout(async () => resolve((await store.counts()).computations.done), 20),
    );
    expect(doneWhenTimerFired).toBeLessThan(4);
    await until(async () => (await store.counts()).computations.done === 8, 5000, 'all done');
  });

  it('computes a handle emitted by two transactions once and completes both rows', async () => {
    start();
    await input(1, 3);
    await ingest(
      computation(40, [{ handle: handle(1) }, { handle: handle(1) }], FheOp.Add, 1),
      computation(40, [{ handle: handle(1) }, { handle: handle(1) }], FheOp.Add, 2),
    );
    await until(
      async () => (await statusOf(40, 1)) === 'done' && (await statusOf(40, 2)) === 'done',
      5000,
      'both',
    );
    expect(evaluator.calls).toHaveLength(1);
    expect(await plaintextOf(40)).toBe(6);
  });

  it('keeps each computation’s engine time, and its bootstraps when nothing else ran meanwhile', async () => {
    start(1);
    await input(1, 1);
    await ingest(
      computation(60, [{ handle: handle(1) }, { handle: handle(1) }]),
      computation(61, [{ handle: handle(60) }, { handle: handle(1) }]),
    );
    await until(async () => (await statusOf(61)) === 'done', 5000, 'chain');
    const traced = await store.transactionComputations(hash32(1, 0xcc));
    expect(traced.map((c) => c.pbs)).toEqual([3, 3]);
    for (const c of traced) expect(c.computeMs).toBeGreaterThanOrEqual(25);
  });

  it('records no bootstrap count for computations that overlapped (the counter is shared)', async () => {
    start(4);
    await input(1, 1);
    await ingest(...[70, 71].map((n) => computation(n, [{ handle: handle(1) }, { handle: handle(1) }])));
    await until(async () => (await store.counts()).computations.done === 2, 5000, 'both done');
    const traced = await store.transactionComputations(hash32(1, 0xcc));
    expect(traced.map((c) => c.pbs)).toEqual([null, null]);
    expect(evaluator.pbs).toBe(6);
  });
});
