import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CoprocessorMetrics } from '../../src/coprocessor/metrics.js';
import { openSqliteStore, type SqliteCoprocessorStore } from '../../src/coprocessor/sqlite-store.js';
import type { NewComputation } from '../../src/coprocessor/store.js';
import { FheType } from '../../src/fhevm/fhe-types.js';
import { FheOp } from '../../src/fhevm/operations.js';
import { formatRunReport, reportFromMetrics } from '../../src/hardhat/run-report.js';
import { handle, hash32, tempDir } from '../coprocessor/helpers.js';

/** `n` independent euint8 additions (88,000 HCU each) in transaction `tx` of block `tx`. */
function adds(tx: number, n: number): NewComputation[] {
  return Array.from({ length: n }, (_, i) => ({
    outputHandle: handle(tx * 100 + i),
    txHash: hash32(tx, 0xcc),
    op: FheOp.Add,
    resultType: FheType.Uint8,
    operands: [{ handle: handle(1) }, { handle: handle(2) }],
    isScalar: false,
    seed: null,
    blockNumber: tx,
    logIndex: i,
  }));
}

describe('the Hardhat end-of-run report', () => {
  let dir: { dir: string; cleanup: () => void };
  let store: SqliteCoprocessorStore;

  beforeEach(async () => {
    dir = tempDir();
    store = openSqliteStore(join(dir.dir, 'coprocessor.db'));
    await store.insertInputCiphertexts(
      [1, 2].map((n) => ({
        handle: handle(n),
        type: FheType.Uint8,
        bytes: new Uint8Array([n]),
        blobHash: hash32(n),
        index: 0,
      })),
    );
    // Seven transactions with 1..7 additions; the 2-op one is made the slowest.
    for (let tx = 1; tx <= 7; tx++) {
      await store.ingestBlock({
        number: tx,
        hash: hash32(tx, 0xbb),
        parentHash: hash32(tx - 1, 0xbb),
        computations: adds(tx, tx),
        allowed: [],
        delegations: [],
      });
    }
    for (const c of await store.readyComputations(100, Date.now())) {
      const computeMs = c.txHash === hash32(2, 0xcc) ? 5000 : 10;
      await store.completeComputation(
        c,
        { type: FheType.Uint8, bytes: new Uint8Array([3]) },
        { computeMs, pbs: 4 },
      );
    }
  });
  afterEach(async () => {
    await store.close();
    dir.cleanup();
  });

  it('lists the five most expensive transactions by HCU and by engine time, and prints the heaviest one’s trace', async () => {
    const metrics = new CoprocessorMetrics(async () => ({
      pending: 0,
      ready: 0,
      inFlight: 0,
      failed: 0,
      headBlock: null,
      cursorBlock: null,
    }));
    const report = await reportFromMetrics(metrics, store);
    expect(report.expensive?.byHcu.map((t) => t.totals.hcu)).toEqual([7, 6, 5, 4, 3].map((n) => n * 88_000));
    expect(report.expensive?.byComputeTime[0]?.txHash).toBe(hash32(2, 0xcc));

    const text = formatRunReport(report, 12).join('\n');
    expect(text).toContain('most expensive transactions by HCU');
    expect(text).toContain(`${hash32(7, 0xcc)}  HCU 616,000 · depth 88,000 · 7 ops · 70 ms`);
    expect(text).toContain(
      `by engine time\n    ${hash32(2, 0xcc)}  HCU 176,000 · depth 88,000 · 2 ops · 10.00 s`,
    );
    expect(text).toContain(`trace of ${hash32(7, 0xcc)}`);
    expect(text).toContain('`fhe trace <hash>`');
    expect(text).toContain('    #6 Add → euint8');
  });
});
