import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Hex, Log } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChainHandle, startChain } from '../../src/chain/start-chain.js';
import { openSqliteStore } from '../../src/coprocessor/sqlite-store.js';
import { FheType } from '../../src/fhevm/fhe-types.js';
import { FheOp } from '../../src/fhevm/operations.js';
import { decryptWithClientKey } from '../../src/tfhe/client-ciphertexts.js';
import { aclEvents, deployFixture, executorEvents, transact } from '../chain/fixture-chain.js';
import { CoprocessorProcess } from './coprocessor-process.js';
import type { DeployedFixture } from './helpers.js';
import { tempDir, testKeyset, until } from './helpers.js';

interface ExpectedRows {
  /** `${outputHandle}/${txHash}` → block number */
  computations: Map<string, number>;
  /** `${handle}/${account}/${eventType}` → block number */
  allowed: Map<string, number>;
}

const scalarWord = (value: bigint): Hex => `0x${value.toString(16).padStart(64, '0')}`;

function rowsOf(chain: ChainHandle, logs: Log[], expected: ExpectedRows) {
  const block = Number(logs[0].blockNumber);
  const tx = logs[0].transactionHash!;
  for (const event of executorEvents(chain, logs)) {
    if (event.eventName === 'VerifyInput') continue;
    expected.computations.set(`${(event.args as { result: Hex }).result}/${tx}`, block);
  }
  for (const event of aclEvents(chain, logs)) {
    if (event.eventName === 'Allowed') {
      expected.allowed.set(`${event.args.handle}/${event.args.account.toLowerCase()}/0`, block);
    } else if (event.eventName === 'AllowedForDecryption') {
      for (const handle of event.args.handlesList) expected.allowed.set(`${handle}//1`, block);
    }
  }
}

/** What the database holds, read with a plain read-only connection (the coprocessor is dead). */
function readDatabase(path: string) {
  const db = new Database(path, { readonly: true });
  try {
    const hex = (b: Buffer) => `0x${b.toString('hex')}`;
    const integrity = db.pragma('integrity_check', { simple: true });
    const cursor = db.prepare('SELECT block_number FROM listener_cursor').get() as
      | { block_number: number }
      | undefined;
    const computations = (
      db.prepare('SELECT output_handle, tx_hash, block_number FROM computations').all() as {
        output_handle: Buffer;
        tx_hash: Buffer;
        block_number: number;
      }[]
    ).map((r) => [`${hex(r.output_handle)}/${hex(r.tx_hash)}`, r.block_number] as const);
    const allowed = (
      db.prepare('SELECT handle, account, event_type, block_number FROM allowed_handles').all() as {
        handle: Buffer;
        account: string;
        event_type: number;
        block_number: number;
      }[]
    ).map((r) => [`${hex(r.handle)}/${r.account}/${r.event_type}`, r.block_number] as const);
    const operandsWithoutComputation = (
      db
        .prepare(`SELECT COUNT(*) AS n FROM computation_operands o WHERE NOT EXISTS (SELECT 1 FROM computations c
          WHERE c.output_handle = o.output_handle AND c.tx_hash = o.tx_hash)`)
        .get() as { n: number }
    ).n;
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    const statuses = db.prepare('SELECT status, COUNT(*) AS n FROM computations GROUP BY status').all() as {
      status: string;
      n: number;
    }[];
    const byStatus = (status: string) => statuses.find((r) => r.status === status)?.n ?? 0;
    return {
      integrity,
      cursor: cursor?.block_number ?? -1,
      computations,
      allowed,
      operandsWithoutComputation,
      done: byStatus('done'),
      pending: byStatus('pending'),
      failed: byStatus('error'),
      doneWithoutCiphertext: count(`SELECT COUNT(*) AS n FROM computations c WHERE c.status = 'done'
        AND NOT EXISTS (SELECT 1 FROM ciphertexts x WHERE x.handle = c.output_handle)`),
      ciphertextWithoutDone: count(`SELECT COUNT(*) AS n FROM ciphertexts x WHERE x.tx_hash IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM computations c WHERE c.output_handle = x.handle AND c.status = 'done')`),
      ciphertexts: count('SELECT COUNT(*) AS n FROM ciphertexts'),
      outputHandles: count('SELECT COUNT(DISTINCT output_handle) AS n FROM computations'),
    };
  } finally {
    db.close();
  }
}

/** Exactly the expected rows of every block up to the cursor, and nothing after it. */
function expectConsistentUpToCursor(path: string, expected: ExpectedRows) {
  const state = readDatabase(path);
  expect(state.integrity).toBe('ok');
  expect(state.operandsWithoutComputation).toBe(0);
  const upTo = (rows: Map<string, number>) =>
    [...rows].filter(([, block]) => block <= state.cursor).map(([k]) => k);
  expect(state.computations.map(([key]) => key).sort()).toEqual(upTo(expected.computations).sort());
  expect(state.allowed.map(([key]) => key).sort()).toEqual(upTo(expected.allowed).sort());
  return state.cursor;
}

describe('crash safety (coprocessor child process, kill -9)', () => {
  let chain: ChainHandle;
  let ops: DeployedFixture;
  let dir: { dir: string; cleanup: () => void };

  beforeAll(async () => {
    chain = await startChain();
    ops = await deployFixture(chain, 'HandleOps');
    dir = tempDir();
  });
  afterAll(async () => {
    await chain?.stop();
    dir?.cleanup();
  });

  it('listener: killed repeatedly mid catch-up, it ends with every event ingested exactly once', async () => {
    const dbPath = join(dir.dir, 'listener.db');
    const expected: ExpectedRows = { computations: new Map(), allowed: new Map() };
    // ~40 blocks with FHE events spread over ~3000 empty ones, so the kills land mid-ingestion.
    for (let i = 0; i < 40; i++) {
      const logs = await transact(chain, ops, 'binaryPlain', [
        FheOp.Add,
        FheType.Uint8,
        BigInt(i),
        1n,
        i % 2 === 0,
      ]);
      rowsOf(chain, logs, expected);
      await chain.testClient.mine({ blocks: 75 });
    }
    const head = Number(await chain.publicClient.getBlockNumber({ cacheTime: 0 }));

    // Each run is killed as soon as it has committed something, plus a random few milliseconds.
    const cursors = [-1];
    for (let kill = 0; kill < 4; kill++) {
      const process = await CoprocessorProcess.start(chain, dbPath, ['--listen-only']);
      await until(() => readDatabase(dbPath).cursor > cursors.at(-1)!, 30_000, 'ingestion progress');
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10));
      await process.kill9();
      cursors.push(expectConsistentUpToCursor(dbPath, expected));
    }
    // Every kill landed in the middle of the catch-up.
    expect(cursors.at(-1)).toBeLessThan(head);

    const final = await CoprocessorProcess.start(chain, dbPath, ['--listen-only']);
    try {
      await until(() => readDatabase(dbPath).cursor === head, 30_000, 'catch-up after restarts');
    } finally {
      await final.stop();
    }
    expect(expectConsistentUpToCursor(dbPath, expected)).toBe(head);
    // 20 scalar adds (2 events) + 20 encrypted adds (3 events), minus i = 1 whose two operands are the
    // same trivial encryption: one (handle, tx) row, as in Zama's schema.
    expect(expected.computations.size).toBe(99);
  });

  it('worker: killed mid-batch with the real engine, every computation ends done exactly once, correctly', async () => {
    const dbPath = join(dir.dir, 'worker.db');
    const keys = testKeyset();
    const resultOf = (logs: Log[]) => (executorEvents(chain, logs).at(-1)!.args as { result: Hex }).result;
    // Random values are real bootstrapped ciphertexts, so each computation takes engine time.
    const randoms: Hex[] = [];
    const sums: Hex[] = [];
    for (let i = 0; i < 3; i++) {
      randoms.push(resultOf(await transact(chain, ops, 'rand', [FheType.Uint16])));
      const args = [FheOp.Add, randoms[i], scalarWord(BigInt(i + 1)), true];
      sums.push(resultOf(await transact(chain, ops, 'binary', args)));
    }
    const args = ['--keys', keys.dir, '--threads', '2', '--concurrency', '2'];
    const head = Number(await chain.publicClient.getBlockNumber({ cacheTime: 0 }));
    const finished = (state: ReturnType<typeof readDatabase>) => state.cursor === head && state.pending === 0;

    // Kill right after each bit of progress, while work is left: crashes in the middle of the batch.
    let kills = 0;
    let lastDone = 0;
    while (kills < 2) {
      const process = await CoprocessorProcess.start(chain, dbPath, args);
      const progressed = await until(
        () => {
          const now = readDatabase(dbPath);
          return now.done > lastDone ? now : null;
        },
        60_000,
        'progress',
      );
      await process.kill9();
      if (finished(progressed!)) break;
      kills++;
      const after = readDatabase(dbPath);
      expect(after).toMatchObject({
        integrity: 'ok',
        failed: 0,
        doneWithoutCiphertext: 0,
        ciphertextWithoutDone: 0,
      });
      lastDone = after.done;
    }
    expect(kills).toBeGreaterThan(0);

    const final = await CoprocessorProcess.start(chain, dbPath, args);
    try {
      await until(() => finished(readDatabase(dbPath)), 120_000, 'all computations done');
    } finally {
      await final.stop();
    }
    const end = readDatabase(dbPath);
    expect(end).toMatchObject({
      integrity: 'ok',
      failed: 0,
      doneWithoutCiphertext: 0,
      ciphertextWithoutDone: 0,
    });
    expect(end.ciphertexts).toBe(end.outputHandles);

    const store = openSqliteStore(dbPath);
    try {
      for (let i = 0; i < 3; i++) {
        const stored = async (handle: Hex) => (await store.getCiphertext(handle))!.bytes;
        const random = decryptWithClientKey(FheType.Uint16, await stored(randoms[i]), keys.clientKey);
        const sum = decryptWithClientKey(FheType.Uint16, await stored(sums[i]), keys.clientKey);
        expect(sum).toBe((random + BigInt(i + 1)) % 65536n);
        expect(await store.computationsFor(sums[i])).toHaveLength(1);
      }
    } finally {
      await store.close();
    }
  });
});
