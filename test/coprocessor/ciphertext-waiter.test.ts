import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CiphertextWaiter } from '../../src/coprocessor/ciphertext-waiter.js';
import { openSqliteStore, type SqliteCoprocessorStore } from '../../src/coprocessor/sqlite-store.js';
import { FheType } from '../../src/fhevm/fhe-types.js';
import { FheOp } from '../../src/fhevm/operations.js';
import { handle, hash32, tempDir } from './helpers.js';

describe('CiphertextWaiter', () => {
  let dir: { dir: string; cleanup: () => void };
  let store: SqliteCoprocessorStore;
  let waiter: CiphertextWaiter;

  beforeEach(() => {
    dir = tempDir();
    store = openSqliteStore(join(dir.dir, 'coprocessor.db'));
    waiter = new CiphertextWaiter(store, 1000);
  });
  afterEach(async () => {
    await store.close();
    dir.cleanup();
  });

  const insert = (n: number) =>
    store.insertInputCiphertexts([
      { handle: handle(n), type: FheType.Uint8, bytes: new Uint8Array([n]), blobHash: hash32(n), index: 0 },
    ]);

  it('resolves as soon as it is notified of the ciphertext, before the next poll', async () => {
    const started = Date.now();
    const waiting = waiter.wait(handle(1), 5000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await insert(1);
    waiter.notify(handle(1));
    expect((await waiting).bytes[0]).toBe(1);
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('rejects with FHE_CIPHERTEXT_TIMEOUT for a handle nobody produces', async () => {
    await expect(waiter.wait(handle(2), 100)).rejects.toMatchObject({ code: 'FHE_CIPHERTEXT_TIMEOUT' });
  });

  it('rejects with FHE_COMPUTATION_FAILED once its computation ended in error', async () => {
    await store.ingestBlock({
      number: 0,
      hash: hash32(0, 0xbb),
      parentHash: hash32(0, 0),
      computations: [
        {
          outputHandle: handle(3),
          txHash: hash32(3),
          op: FheOp.Neg,
          resultType: FheType.Uint8,
          operands: [{ handle: handle(1) }],
          isScalar: false,
          seed: null,
          blockNumber: 0,
          logIndex: 0,
        },
      ],
      allowed: [],
      delegations: [],
    });
    await store.recordComputationFailure({ outputHandle: handle(3), txHash: hash32(3) }, 'bad ciphertext', {
      maxAttempts: 1,
      retryAt: 0,
    });
    await expect(waiter.wait(handle(3), 5000)).rejects.toMatchObject({
      code: 'FHE_COMPUTATION_FAILED',
      message: expect.stringContaining('bad ciphertext'),
    });
  });
});
