import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ResultPolicy } from '../../src/coprocessor/compute-mode.js';
import { CoprocessorMetrics } from '../../src/coprocessor/metrics.js';
import { Scheduler } from '../../src/coprocessor/scheduler.js';
import { openSqliteStore, type SqliteCoprocessorStore } from '../../src/coprocessor/sqlite-store.js';
import { readStatus } from '../../src/coprocessor/status.js';
import { createCleartextEvaluator } from '../../src/engine/cleartext-evaluator.js';
import { decodeClientKey } from '../../src/engine/codec/client-key-codec.js';
import type { FheEvaluator } from '../../src/engine/evaluator.js';
import { FheType } from '../../src/fhevm/fhe-types.js';
import { FheOp } from '../../src/fhevm/operations.js';
import { loadKeyset } from '../../src/keys/load-keyset.js';
import { decryptWithClientKey, encryptWithClientKey } from '../../src/tfhe/client-ciphertexts.js';
import { TEST_KEYS_DIR } from '../test-keys.js';
import { handle, hash32, tempDir, testKeyset, until } from './helpers.js';

const { clientKey } = testKeyset();
const cleartext = createCleartextEvaluator({
  glweKey: decodeClientKey(loadKeyset(TEST_KEYS_DIR).read('clientKey')).glweKey,
});
/** Test double of the engine parity checks: a real encryption of 144, whatever it is asked. */
const brokenEngine: FheEvaluator = {
  compute: async () => encryptWithClientKey(FheType.Uint8, 144n, clientKey),
  stop: async () => {},
};

/** The scheduler on a real SQLite store with real ciphertexts, in each compute mode. */
describe('compute modes in the coprocessor', () => {
  let dir: { dir: string; cleanup: () => void };
  let store: SqliteCoprocessorStore;
  let scheduler: Scheduler | undefined;

  beforeEach(() => {
    dir = tempDir();
    store = openSqliteStore(join(dir.dir, 'coprocessor.db'));
  });
  afterEach(async () => {
    await scheduler?.stop();
    await store.close();
    dir.cleanup();
  });

  /** Inputs 13 and 11 (euint8), then 10 = 1 * 2 on chain: returns the result's plaintext once stored. */
  async function multiply(evaluator: FheEvaluator, results: ResultPolicy): Promise<bigint> {
    for (const [n, value] of [
      [1, 13n],
      [2, 11n],
    ] as const) {
      await store.insertInputCiphertexts([
        {
          handle: handle(n),
          type: FheType.Uint8,
          bytes: encryptWithClientKey(FheType.Uint8, value, clientKey),
          blobHash: hash32(n),
          index: 0,
        },
      ]);
    }
    await store.ingestBlock({
      number: 1,
      hash: hash32(1, 0xbb),
      parentHash: hash32(0, 0xbb),
      computations: [
        {
          outputHandle: handle(10),
          txHash: hash32(1, 0xcc),
          op: FheOp.Mul,
          resultType: FheType.Uint8,
          operands: [{ handle: handle(1) }, { handle: handle(2) }],
          isScalar: false,
          seed: null,
          blockNumber: 1,
          logIndex: 0,
        },
      ],
      allowed: [],
      delegations: [],
    });
    scheduler = new Scheduler({
      store,
      evaluator,
      results,
      metrics: new CoprocessorMetrics(async () => ({
        pending: 0,
        ready: 0,
        inFlight: 0,
        failed: 0,
        headBlock: null,
        cursorBlock: null,
      })),
      logger: pino({ level: 'silent' }),
      concurrency: 1,
      pollIntervalMs: 20,
    });
    scheduler.start();
    const stored = await until(() => store.getCiphertext(handle(10)), 30_000, 'the product');
    return decryptWithClientKey(FheType.Uint8, stored!.bytes, clientKey);
  }

  it('cleartext: stores a real encryption of the plaintext result, marked as computed in cleartext', async () => {
    expect(await multiply(cleartext, { mode: 'cleartext' })).toBe(143n);
    expect((await store.getCiphertext(handle(10)))?.computedInCleartext).toBe(true);
    expect((await store.getCiphertext(handle(1)))?.computedInCleartext).toBe(false);
    expect(await readStatus(store)).toMatchObject({ cleartextHandles: 1, parityMismatches: 0 });
  });

  it('parity: a wrong engine result is stored as the engine gave it, recorded as a mismatch and counted', async () => {
    expect(await multiply(brokenEngine, { mode: 'parity', oracle: cleartext })).toBe(144n);
    expect(await store.parityMismatches(10)).toEqual([
      { handle: handle(10), op: 'Mul', type: 'euint8', expected: 143n, actual: 144n, at: expect.any(Number) },
    ]);
    expect((await store.getCiphertext(handle(10)))?.computedInCleartext).toBe(false);
    expect(await readStatus(store)).toMatchObject({
      cleartextHandles: 0,
      parityMismatches: 1,
      lastParityMismatch: { handle: handle(10), op: 'Mul', expected: '143', actual: '144' },
    });
  });

  it('parity: an engine that agrees leaves no mismatch', async () => {
    const agreeing: FheEvaluator = {
      compute: async () => encryptWithClientKey(FheType.Uint8, 143n, clientKey),
      stop: async () => {},
    };
    expect(await multiply(agreeing, { mode: 'parity', oracle: cleartext })).toBe(143n);
    expect(await readStatus(store)).toMatchObject({ parityMismatches: 0, lastParityMismatch: null });
  });
});
