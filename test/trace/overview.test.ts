import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_GATEWAY, HOST_ADDRESSES } from '../../src/chain/host-contracts.js';
import { openSqliteStore, type SqliteCoprocessorStore } from '../../src/coprocessor/sqlite-store.js';
import { readStatus } from '../../src/coprocessor/status.js';
import type { NewComputation } from '../../src/coprocessor/store.js';
import { FheType } from '../../src/fhevm/fhe-types.js';
import { FheOp } from '../../src/fhevm/operations.js';
import { readTraceOverview } from '../../src/trace/overview.js';
import { Dashboard } from '../../src/ui/stack-dashboard.js';
import { handle, hash32, tempDir } from '../coprocessor/helpers.js';

const HEAVY_TX = hash32(1, 0xcc);
const SMALL_TX = hash32(2, 0xcc);

function mul(output: number, lhs: number, rhs: number, logIndex: number): NewComputation {
  return {
    outputHandle: handle(output, FheType.Uint128),
    txHash: HEAVY_TX,
    op: FheOp.Mul,
    resultType: FheType.Uint128,
    operands: [{ handle: handle(lhs, FheType.Uint128) }, { handle: handle(rhs, FheType.Uint128) }],
    isScalar: false,
    seed: null,
    blockNumber: 1,
    logIndex,
  };
}

/** The recent-transactions and failures panels, from a real SQLite store, down to the rendered dashboard. */
describe('trace overview', () => {
  let dir: { dir: string; cleanup: () => void };
  let store: SqliteCoprocessorStore;

  beforeEach(async () => {
    dir = tempDir();
    store = openSqliteStore(join(dir.dir, 'coprocessor.db'));
    // Ten euint128 multiplications (1,686,000 HCU each): 84% of the 20,000,000 per-transaction limit;
    // two are chained, so the depth (3,372,000 of 5,000,000) stays under 80%.
    const heavy = Array.from({ length: 9 }, (_, i) => mul(100 + i, 1, 2, i));
    heavy.push(mul(200, 100, 1, 9));
    await store.ingestBlock({
      number: 1,
      hash: hash32(1, 0xbb),
      parentHash: hash32(0, 0xbb),
      computations: heavy,
      allowed: [],
      delegations: [],
    });
    await store.ingestBlock({
      number: 2,
      hash: hash32(2, 0xbb),
      parentHash: hash32(1, 0xbb),
      computations: [{ ...mul(300, 1, 2, 0), txHash: SMALL_TX, blockNumber: 2, resultType: FheType.Uint128 }],
      allowed: [],
      delegations: [],
    });
    await store.recordComputationFailure(
      { outputHandle: handle(300, FheType.Uint128), txHash: SMALL_TX },
      'operand decoding failed',
      { maxAttempts: 1, retryAt: 0 },
    );
  });
  afterEach(async () => {
    await store.close();
    dir.cleanup();
  });

  it('warns about a transaction above 80% of an HCU limit, naming the ops, and lists failures', async () => {
    const overview = await readTraceOverview(store);
    expect(overview.recent.map((t) => [t.txHash, t.ops, t.hcu, t.status])).toEqual([
      [SMALL_TX, 1, 1_686_000, 'error'],
      [HEAVY_TX, 10, 16_860_000, 'pending'],
    ]);
    expect(overview.recent[0]?.warnings).toEqual([]);
    expect(overview.recent[1]?.warnings).toEqual([
      { limit: 'hcu', used: 16_860_000, max: 20_000_000, dominantOps: ['Mul euint128 ×10 (100%)'] },
    ]);
    expect(overview.failures).toEqual([
      {
        txHash: SMALL_TX,
        handle: handle(300, FheType.Uint128),
        op: 'Mul',
        resultType: 'euint128',
        error: 'operand decoding failed',
      },
    ]);

    const { lastFrame, unmount } = render(
      createElement(Dashboard, {
        status: {
          modes: { compute: 'real', inputs: 'proven' },
          rpcUrl: 'http://127.0.0.1:8545',
          apiUrl: 'http://127.0.0.1:8547',
          metricsUrl: 'http://127.0.0.1:9464/metrics',
          chainId: 31337,
          addresses: HOST_ADDRESSES,
          gateway: DEFAULT_GATEWAY,
          coprocessor: await readStatus(store),
          transactions: overview,
        },
      }),
    );
    const frame = (lastFrame() ?? '').replace(/\s+/g, ' ');
    unmount();
    expect(frame).toContain('Recent transactions');
    expect(frame).toContain('10 FHE ops · HCU 16,860,000 · depth 3,372,000 · pending');
    expect(frame).toContain('⚠ HCU at 84% of the per-transaction limit: Mul euint128 ×10 (100%)');
    expect(frame).toContain('Failed computations');
    expect(frame).toContain('Mul euint128 0x0000…0600: operand decoding failed');
  });
});
