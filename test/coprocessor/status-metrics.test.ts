import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChainHandle, startChain } from '../../src/chain/start-chain.js';
import { type Coprocessor, startCoprocessor } from '../../src/coprocessor/coprocessor.js';
import { startMetricsServer } from '../../src/coprocessor/metrics.js';
import { openSqliteStore } from '../../src/coprocessor/sqlite-store.js';
import { readStatus } from '../../src/coprocessor/status.js';
import { FheType } from '../../src/fhevm/fhe-types.js';
import { FheOp } from '../../src/fhevm/operations.js';
import { readStackReport } from '../../src/stack/stack-status.js';
import { stateDirLayout } from '../../src/state-dir.js';
import { statusLine } from '../../src/ui/stack-dashboard.js';
import { deployFixture, transact } from '../chain/fixture-chain.js';
import type { DeployedFixture } from './helpers.js';
import { tempDir, until } from './helpers.js';

describe('coprocessor status() and /metrics (listener only, real anvil)', () => {
  let chain: ChainHandle;
  let ops: DeployedFixture;
  let dir: { dir: string; cleanup: () => void };
  let coprocessor: Coprocessor;

  beforeAll(async () => {
    chain = await startChain();
    ops = await deployFixture(chain, 'HandleOps');
    dir = tempDir();
    const paths = stateDirLayout(dir.dir);
    coprocessor = await startCoprocessor({
      dbPath: paths.coprocessorDb,
      rollbackFile: paths.lastRollback,
      rpcUrl: chain.rpcUrl,
      addresses: chain.addresses,
      logger: pino({ level: 'silent' }),
      pollIntervalMs: 50,
    });
  });
  afterAll(async () => {
    await coprocessor?.stop();
    await chain?.stop();
    dir?.cleanup();
  });

  it('reports the cursor, lag and queue, and serves them as Prometheus metrics', async () => {
    await transact(chain, ops, 'binaryPlain', [FheOp.Add, FheType.Uint8, 1n, 2n, false]);
    const head = Number(await chain.publicClient.getBlockNumber({ cacheTime: 0 }));
    await until(async () => (await coprocessor.status()).cursor?.block === head, 10_000, 'cursor at head');

    const status = await coprocessor.status();
    expect(status).toMatchObject({
      headBlock: head,
      lagBlocks: 0,
      // Two trivial encryptions are ready (no encrypted operand); the add waits for them.
      computations: { pending: 3, ready: 2, inFlight: 0, done: 0, error: 0 },
      ciphertexts: 0,
      allowedHandles: 3,
      opsPerSecond: 0,
      pbsPerSecond: null,
      concurrency: 0,
    });
    expect(JSON.parse(JSON.stringify(status))).toEqual(status);

    const server = await startMetricsServer(0, coprocessor.metrics.registry);
    try {
      const response = await fetch(server.url);
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).toContain('fhekit_coprocessor_queue_depth{state="pending"} 3');
      expect(text).toContain('fhekit_coprocessor_queue_depth{state="ready"} 2');
      expect(text).toContain('fhekit_coprocessor_lag_blocks 0');
      expect(text).toContain(`fhekit_coprocessor_cursor_block ${head}`);
      expect(text).toMatch(/fhekit_coprocessor_blocks_ingested_total \d+/);
      expect((await fetch(server.url.replace('/metrics', '/other'))).status).toBe(404);
    } finally {
      await server.stop();
    }
  });

  it('reads the durable part of the status from another process’s view of the database', async () => {
    const reader = openSqliteStore(join(dir.dir, 'coprocessor.db'));
    try {
      const [offline, live] = [await readStatus(reader), await coprocessor.status()];
      expect(offline).toMatchObject({
        cursor: live.cursor,
        headBlock: null,
        lagBlocks: null,
        uptimeSeconds: 0,
      });
      expect(offline.computations).toEqual({ ...live.computations, inFlight: 0 });
    } finally {
      await reader.close();
    }
  });

  it('reports a chain that went back under ingested blocks in status(), the status line and `fhe dev status`', async () => {
    const snapshot = await chain.testClient.snapshot();
    const before = Number(await chain.publicClient.getBlockNumber({ cacheTime: 0 }));
    await transact(chain, ops, 'binaryPlain', [FheOp.Add, FheType.Uint8, 3n, 4n, false]);
    const head = Number(await chain.publicClient.getBlockNumber({ cacheTime: 0 }));
    await until(async () => (await coprocessor.status()).cursor?.block === head, 10_000, 'cursor at head');
    expect((await coprocessor.status()).lastRollback).toBeNull();

    await chain.testClient.revert({ id: snapshot }); // as anvil restarted from an older state would
    const live = await until(async () => (await coprocessor.status()).lastRollback, 10_000, 'rollback seen');
    expect(live).toMatchObject({ fromBlock: head, toBlock: before, dropped: { blocks: head - before } });
    expect(live?.dropped.computations).toBeGreaterThan(0);
    expect(statusLine(await coprocessor.status())).toContain(
      `chain went back from block ${head} to ${before}`,
    );
    // What `fhe dev status` shows, read from the state dir by another process.
    const report = await readStackReport(dir.dir);
    expect(report.coprocessor?.lastRollback).toEqual(live);
  });

  it('follows the chain over WebSocket and stops cleanly', async () => {
    const wsDir = tempDir();
    const overWs = await startCoprocessor({
      dbPath: join(wsDir.dir, 'coprocessor.db'),
      rpcUrl: chain.rpcUrl,
      wsUrl: chain.wsUrl,
      addresses: chain.addresses,
      logger: pino({ level: 'silent' }),
    });
    try {
      await transact(chain, ops, 'rand', [FheType.Uint8]);
      const head = Number(await chain.publicClient.getBlockNumber({ cacheTime: 0 }));
      await until(
        async () => (await overWs.status()).cursor?.block === head,
        10_000,
        'cursor at head over ws',
      );
      expect((await overWs.status()).computations.pending).toBe(4);
    } finally {
      await overWs.stop();
      wsDir.cleanup();
    }
  });
});
