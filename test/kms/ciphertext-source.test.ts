import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openSqliteStore, type SqliteCoprocessorStore } from '../../src/coprocessor/sqlite-store.js';
import { FheType } from '../../src/fhevm/fhe-types.js';
import { FheOp } from '../../src/fhevm/operations.js';
import { waitForCiphertexts } from '../../src/kms/ciphertext-source.js';
import { handle, hash32, tempDir } from '../coprocessor/helpers.js';

/** The KMS's wait for ciphertexts, on the real SQLite coprocessor store. */
describe('waitForCiphertexts (SQLite store)', () => {
  let dir: { dir: string; cleanup: () => void };
  let store: SqliteCoprocessorStore;

  beforeEach(() => {
    dir = tempDir();
    store = openSqliteStore(join(dir.dir, 'coprocessor.db'));
  });
  afterEach(async () => {
    vi.useRealTimers();
    await store.close();
    dir.cleanup();
  });

  const insert = (n: number) =>
    store.insertInputCiphertexts([
      { handle: handle(n), type: FheType.Uint8, bytes: new Uint8Array([n]), blobHash: hash32(n), index: 0 },
    ]);
  /** A pending computation of handle(n) (negation of handle(1)), in block `block`. */
  const ingestPending = (n: number, block = 0) =>
    store.ingestBlock({
      number: block,
      hash: hash32(block, 0xbb),
      parentHash: block === 0 ? hash32(0, 0) : hash32(block - 1, 0xbb),
      computations: [
        {
          outputHandle: handle(n),
          txHash: hash32(n),
          op: FheOp.Neg,
          resultType: FheType.Uint8,
          operands: [{ handle: handle(1) }],
          isScalar: false,
          seed: null,
          blockNumber: block,
          logIndex: 0,
        },
      ],
      allowed: [],
      delegations: [],
    });

  it('resolves with the bytes, in order, once every ciphertext exists', async () => {
    await insert(2);
    const waiting = waitForCiphertexts(store, [handle(3), handle(2)], { timeoutMs: 5000, pollMs: 20 });
    await new Promise((resolve) => setTimeout(resolve, 60));
    await insert(3);
    expect((await waiting).map((bytes) => bytes[0])).toEqual([3, 2]);
  });

  it('names a handle nobody produces unknown after the timeout', async () => {
    await expect(waitForCiphertexts(store, [handle(4)], { timeoutMs: 100 })).rejects.toMatchObject({
      code: 'KMS_UNKNOWN_HANDLE',
    });
  });

  it('fails at once when the computation ended in error', async () => {
    await ingestPending(5);
    await store.recordComputationFailure({ outputHandle: handle(5), txHash: hash32(5) }, 'bad ciphertext', {
      maxAttempts: 1,
      retryAt: 0,
    });
    const started = Date.now();
    await expect(waitForCiphertexts(store, [handle(5)], { timeoutMs: 5000 })).rejects.toMatchObject({
      code: 'KMS_COMPUTATION_FAILED',
      message: expect.stringContaining('bad ciphertext'),
    });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('keeps waiting for a queued computation far beyond 30 s, then says what it is queued behind', async () => {
    await ingestPending(6);
    vi.useFakeTimers({ toFake: ['setTimeout', 'Date'] });
    const waiting = waitForCiphertexts(store, [handle(6)], { timeoutMs: 10 * 60_000 });
    const outcome = waiting.then(
      (bytes) => ({ bytes }),
      (error: unknown) => ({ error }),
    );
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    await insert(6); // its computation "finished" after 5 minutes in the queue
    await vi.advanceTimersByTimeAsync(1000);
    expect(await outcome).toEqual({ bytes: [new Uint8Array([6])] });

    await ingestPending(7, 1);
    const givingUp = waitForCiphertexts(store, [handle(7)], { timeoutMs: 60_000 }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(61_000);
    expect(await givingUp).toMatchObject({
      code: 'KMS_CIPHERTEXT_NOT_READY',
      message: expect.stringMatching(/computation is pending.*2 computations pending \(0 of them ready/),
    });
  });
});
