import type { Hex } from 'viem';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AllowedEventType,
  type CoprocessorStore,
  type IngestedBlock,
  type NewComputation,
} from '../../src/coprocessor/store.js';
import { FheType } from '../../src/fhevm/fhe-types.js';
import { FheOp } from '../../src/fhevm/operations.js';
import { allowedTo, handle, hash32, publiclyAllowed, scalar32 } from './helpers.js';

/** A durable store to test: `open()` again (after `close()`) must see the same data. */
export interface StoreFixture {
  open(): Promise<CoprocessorStore>;
  /**
   * Rewrites a stored ciphertext's bytes behind the store's back (as disk damage or a hand edit would),
   * leaving everything else in its row as it is.
   */
  tamperCiphertext(handle: Hex, change: (bytes: Uint8Array) => Uint8Array): Promise<void>;
  cleanup(): Promise<void>;
}

export const ALICE = '0x00000000000000000000000000000000000a11ce' as const;
export const CT = new Uint8Array([1, 2, 3, 4]);

export function block(number: number, rows: Partial<IngestedBlock> = {}): IngestedBlock {
  return {
    number,
    hash: hash32(number, 0xbb),
    parentHash: hash32(number - 1, 0xbb),
    computations: [],
    allowed: [],
    delegations: [],
    ...rows,
  };
}

export function add(
  output: number,
  lhs: number,
  rhs: number,
  blockNumber: number,
  logIndex = 0,
): NewComputation {
  return {
    outputHandle: handle(output),
    txHash: hash32(blockNumber, 0xcc),
    op: FheOp.Add,
    resultType: FheType.Uint8,
    operands: [{ handle: handle(lhs) }, { handle: handle(rhs) }],
    isScalar: false,
    seed: null,
    blockNumber,
    logIndex,
  };
}

export const input = (n: number) => ({
  handle: handle(n),
  type: FheType.Uint8,
  bytes: CT,
  blobHash: hash32(n, 0xdd),
  index: 0,
});

/**
 * The behaviour every CoprocessorStore backend must have (SQLite and PostgreSQL run it, each with its
 * own fixture).
 */
export function describeStoreContract(name: string, createFixture: () => StoreFixture): void {
  describe(`${name} CoprocessorStore contract`, () => {
    let fixture: StoreFixture;
    let store: CoprocessorStore;

    beforeEach(async () => {
      fixture = createFixture();
      store = await fixture.open();
    });
    afterEach(async () => {
      await store.close();
      await fixture.cleanup();
    });

    it('ingests a block atomically with the cursor and keeps rows across reopen', async () => {
      await store.ingestBlock(
        block(1, {
          computations: [add(10, 1, 2, 1, 3)],
          allowed: [
            {
              handle: handle(10),
              account: ALICE,
              eventType: AllowedEventType.Allowed,
              txHash: hash32(1, 0xcc),
            },
            {
              handle: handle(10),
              account: '',
              eventType: AllowedEventType.AllowedForDecryption,
              txHash: hash32(1, 0xcc),
            },
          ],
          delegations: [
            {
              delegator: ALICE,
              delegate: '0x000000000000000000000000000000000000b0b0',
              contractAddress: '0x000000000000000000000000000000000000c0c0',
              delegationCounter: 1n,
              oldExpiration: 0n,
              newExpiration: 2n ** 64n - 1n,
              txHash: hash32(1, 0xcc),
              logIndex: 4,
            },
          ],
        }),
      );
      await store.close();
      store = await fixture.open();

      expect(await store.getCursor()).toEqual({ number: 1, hash: hash32(1, 0xbb) });
      const [stored] = await store.computationsFor(handle(10));
      expect(stored).toMatchObject({
        op: FheOp.Add,
        operands: [{ handle: handle(1) }, { handle: handle(2) }],
        status: 'pending',
        attempts: 0,
        blockNumber: 1,
        logIndex: 3,
      });
      expect(
        await allowedTo(store, handle(10), ALICE.toUpperCase().replace('0X', '0x') as `0x${string}`),
      ).toBe(true);
      expect(await publiclyAllowed(store, handle(10))).toBe(true);
      expect(await publiclyAllowed(store, handle(11))).toBe(false);
      const [delegation] = await store.delegations(ALICE, '0x000000000000000000000000000000000000b0b0');
      expect(delegation.newExpiration).toBe(2n ** 64n - 1n);
    });

    it('rejects a block that does not extend the cursor, writing nothing', async () => {
      await store.ingestBlock(block(1));
      const orphan = block(2, { parentHash: hash32(99), computations: [add(10, 1, 2, 2)] });
      await expect(store.ingestBlock(orphan)).rejects.toThrow(/does not extend the cursor/);
      await expect(store.ingestBlock(block(3))).rejects.toThrow(/does not extend the cursor/);
      expect(await store.computationsFor(handle(10))).toEqual([]);
      expect((await store.getCursor())?.number).toBe(1);
    });

    it('reports a computation ready only once every encrypted operand has a ciphertext', async () => {
      // 10 = 1 + 2 (inputs), 11 = 10 + 1 (depends on 10), 12 = 1 + scalar.
      const scalarAdd: NewComputation = {
        ...add(12, 1, 0, 1, 2),
        operands: [{ handle: handle(1) }, { scalar: scalar32(300n) }],
        isScalar: true,
      };
      await store.ingestBlock(
        block(1, { computations: [add(10, 1, 2, 1, 0), add(11, 10, 1, 1, 1), scalarAdd] }),
      );
      expect(await store.readyComputations(10, Date.now())).toEqual([]);

      await store.insertInputCiphertexts([input(1)]);
      expect((await store.readyComputations(10, Date.now())).map((c) => c.outputHandle)).toEqual([
        handle(12),
      ]);

      await store.insertInputCiphertexts([input(2)]);
      const ready = await store.readyComputations(10, Date.now());
      expect(ready.map((c) => c.outputHandle)).toEqual([handle(10), handle(12)]);
      expect(ready[1].operands[1]).toEqual({ scalar: scalar32(300n) });
      expect((await store.counts()).ready).toBe(2);

      expect(await store.completeComputation(ready[0], { type: FheType.Uint8, bytes: CT })).toBe(true);
      expect(await store.completeComputation(ready[0], { type: FheType.Uint8, bytes: CT })).toBe(false);
      const produced = await store.getCiphertext(handle(10));
      expect(produced).toMatchObject({
        type: FheType.Uint8,
        txHash: hash32(1, 0xcc),
        blockNumber: 1,
        inputIndex: null,
      });
      expect([...produced!.bytes]).toEqual([...CT]);
      expect((await store.readyComputations(10, Date.now())).map((c) => c.outputHandle)).toEqual([
        handle(11),
        handle(12),
      ]);
      expect((await store.counts()).computations).toEqual({ pending: 2, done: 1, error: 0 });
    });

    it('flags a computation whose output was already computed for another transaction', async () => {
      await store.insertInputCiphertexts([input(1), input(2)]);
      await store.ingestBlock(block(1, { computations: [add(10, 1, 2, 1)] }));
      await store.ingestBlock(block(2, { computations: [add(10, 1, 2, 2)] }));
      const [first] = await store.readyComputations(1, Date.now());
      await store.completeComputation(first, { type: FheType.Uint8, bytes: CT });
      const [second] = await store.readyComputations(1, Date.now());
      expect(second).toMatchObject({ txHash: hash32(2, 0xcc), outputExists: true });
      expect(await store.completeComputation(second, null)).toBe(true);
      expect((await store.computationsFor(handle(10))).map((c) => c.status)).toEqual(['done', 'done']);
    });

    it('retries a failed computation after retryAt and marks it error at maxAttempts', async () => {
      await store.insertInputCiphertexts([input(1), input(2)]);
      await store.ingestBlock(block(1, { computations: [add(10, 1, 2, 1)] }));
      const key = { outputHandle: handle(10), txHash: hash32(1, 0xcc) };
      const now = Date.now();
      expect(
        await store.recordComputationFailure(key, 'boom 1', { maxAttempts: 2, retryAt: now + 60_000 }),
      ).toBe('pending');
      expect(await store.readyComputations(10, now)).toEqual([]);
      expect(await store.readyComputations(10, now + 60_000)).toHaveLength(1);
      expect(await store.recordComputationFailure(key, 'boom 2', { maxAttempts: 2, retryAt: now })).toBe(
        'error',
      );
      expect(
        (await store.computationsFor(key.outputHandle)).find((c) => c.txHash === key.txHash),
      ).toMatchObject({
        status: 'error',
        error: 'boom 2',
        attempts: 2,
      });
      expect(await store.readyComputations(10, now + 60_000)).toEqual([]);
    });

    it('reads the computations of a transaction with their cost, recent transactions and failures', async () => {
      await store.insertInputCiphertexts([input(1), input(2)]);
      await store.ingestBlock(block(1, { computations: [add(10, 1, 2, 1, 0), add(11, 10, 1, 1, 1)] }));
      // The same computation twice in one transaction (same handle): one row, two emissions.
      await store.ingestBlock(block(2, { computations: [add(12, 1, 1, 2, 0), add(12, 1, 1, 2, 1)] }));
      const [first] = await store.readyComputations(1, Date.now());
      await store.completeComputation(
        first!,
        { type: FheType.Uint8, bytes: CT },
        { computeMs: 12.5, pbs: 8 },
      );
      await store.recordComputationFailure(
        { outputHandle: handle(12), txHash: hash32(2, 0xcc) },
        'engine fell over',
        { maxAttempts: 1, retryAt: 0 },
      );

      const traced = await store.transactionComputations(hash32(1, 0xcc));
      expect(traced.map((c) => [c.outputHandle, c.status, c.computeMs, c.pbs])).toEqual([
        [handle(10), 'done', 12.5, 8],
        [handle(11), 'pending', null, null],
      ]);
      expect(traced[1]?.operands).toEqual([{ handle: handle(10) }, { handle: handle(1) }]);
      expect(await store.transactionComputations(hash32(9, 0xcc))).toEqual([]);
      expect(
        (await store.recentTransactions(10)).map((t) => [t.txHash, t.blockNumber, t.computations]),
      ).toEqual([
        [hash32(2, 0xcc), 2, 1],
        [hash32(1, 0xcc), 1, 2],
      ]);
      expect(await store.recentTransactions(1)).toHaveLength(1);
      expect(traced.map((c) => c.emissions)).toEqual([1, 1]);
      expect(await store.failedComputations(10)).toMatchObject([
        {
          outputHandle: handle(12),
          status: 'error',
          error: 'engine fell over',
          computeMs: null,
          emissions: 2,
        },
      ]);
    });

    it('fails the transitive consumers of a failed computation, and only them', async () => {
      await store.insertInputCiphertexts([input(1), input(2)]);
      // 10 fails; 11 = 10 + 1 and 12 = 11 + 2 consume it; 13 = 1 + 2 does not.
      await store.ingestBlock(
        block(1, {
          computations: [
            add(10, 1, 2, 1, 0),
            add(11, 10, 1, 1, 1),
            add(12, 11, 2, 1, 2),
            add(13, 1, 2, 1, 3),
          ],
        }),
      );
      const key = { outputHandle: handle(10), txHash: hash32(1, 0xcc) };
      await store.recordComputationFailure(key, 'bad', { maxAttempts: 1, retryAt: 0 });
      const statusOf = async (n: number) => (await store.computationsFor(handle(n)))[0];
      expect(await statusOf(11)).toMatchObject({
        status: 'error',
        error: `operand ${handle(10)} failed: bad`,
      });
      expect((await statusOf(12)).status).toBe('error');
      expect((await statusOf(13)).status).toBe('pending');

      // A later transaction consuming the failed handle fails at ingestion rather than waiting forever.
      await store.ingestBlock(block(2, { computations: [add(14, 12, 1, 2)] }));
      expect(await statusOf(14)).toMatchObject({ status: 'error', error: expect.stringContaining('bad') });
    });

    it('rolls back the rows of dropped blocks, keeping inputs and earlier blocks', async () => {
      await store.insertInputCiphertexts([input(1), input(2)]);
      const allowedIn = (n: number) => ({
        allowed: [
          { handle: handle(n), account: ALICE, eventType: AllowedEventType.Allowed, txHash: hash32(n, 0xcc) },
        ],
      });
      await store.ingestBlock(block(1, { computations: [add(10, 1, 2, 1)], ...allowedIn(10) }));
      await store.ingestBlock(
        block(2, { computations: [add(11, 10, 2, 2), add(10, 1, 2, 2, 1)], ...allowedIn(11) }),
      );
      await store.ingestBlock(block(3, { computations: [add(12, 11, 2, 3)] }));
      // Compute 10 (for block 2's tx, so the ciphertext is attributed to block 2) and 11.
      const ready = await store.readyComputations(10, Date.now());
      await store.completeComputation(ready.find((c) => c.blockNumber === 2)!, {
        type: FheType.Uint8,
        bytes: CT,
      });
      await store.completeComputation(
        (await store.readyComputations(10, Date.now())).find((c) => c.outputHandle === handle(11))!,
        {
          type: FheType.Uint8,
          bytes: CT,
        },
      );

      const summary = await store.rollbackAfter(1);
      expect(summary).toEqual({ blocks: 2, computations: 3, allowed: 1, delegations: 0, ciphertexts: 1 });
      expect(await store.getCursor()).toEqual({ number: 1, hash: hash32(1, 0xbb) });
      expect(await store.getBlock(2)).toBeNull();
      expect(await store.getCiphertext(handle(11))).toBeNull();
      // 10 is still produced by block 1's computation, so its ciphertext stays.
      expect(await store.getCiphertext(handle(10))).not.toBeNull();
      expect(await store.getCiphertext(handle(1))).not.toBeNull();
      expect(await allowedTo(store, handle(10), ALICE)).toBe(true);
      expect(await allowedTo(store, handle(11), ALICE)).toBe(false);
      // A result that finishes computing after its block was dropped is not stored.
      const dropped = { outputHandle: handle(12), txHash: hash32(3, 0xcc) };
      expect(await store.completeComputation(dropped, { type: FheType.Uint8, bytes: CT })).toBe(false);
      expect(await store.getCiphertext(handle(12))).toBeNull();
      // The canonical block 2 can now be ingested.
      await store.ingestBlock(block(2, { hash: hash32(2, 0xee), computations: [add(13, 1, 2, 2)] }));
      expect((await store.getCursor())?.hash).toBe(hash32(2, 0xee));
      await expect(store.rollbackAfter(-1)).resolves.toMatchObject({ blocks: 2 });
      expect(await store.getCursor()).toBeNull();
    });

    it('refuses to return a ciphertext whose stored bytes changed, naming its handle', async () => {
      await store.insertInputCiphertexts([input(1), input(2)]);
      await store.ingestBlock(block(1, { computations: [add(10, 1, 2, 1)] }));
      const [ready] = await store.readyComputations(1, Date.now());
      await store.completeComputation(ready, { type: FheType.Uint8, bytes: new Uint8Array([5, 6, 7, 8]) });
      await store.close();
      store = await fixture.open();
      expect([...(await store.getCiphertext(handle(10)))!.bytes]).toEqual([5, 6, 7, 8]);

      const flipFirstBit = (bytes: Uint8Array) => Uint8Array.from(bytes, (b, i) => (i === 0 ? b ^ 1 : b));
      await fixture.tamperCiphertext(handle(1), flipFirstBit);
      await fixture.tamperCiphertext(handle(10), (bytes) => bytes.subarray(0, 3));
      for (const damaged of [handle(1), handle(10)]) {
        await expect(store.getCiphertext(damaged)).rejects.toMatchObject({
          code: 'FHE_STORE_CORRUPT',
          message: expect.stringContaining(damaged),
        });
      }
      await expect(store.getCiphertexts([handle(2), handle(1)])).rejects.toMatchObject({
        code: 'FHE_STORE_CORRUPT',
      });
      expect([...(await store.getCiphertext(handle(2)))!.bytes]).toEqual([...CT]);
    });

    it('marks results computed in cleartext and keeps parity mismatches, both counted', async () => {
      await store.insertInputCiphertexts([input(1), input(2)]);
      await store.ingestBlock(block(1, { computations: [add(10, 1, 2, 1, 0), add(11, 1, 2, 1, 1)] }));
      const [engine, cleartext] = await store.readyComputations(10, Date.now());
      await store.completeComputation(engine!, { type: FheType.Uint8, bytes: CT });
      await store.completeComputation(cleartext!, {
        type: FheType.Uint8,
        bytes: CT,
        computedInCleartext: true,
      });
      const wide = 2n ** 200n + 1n;
      await store.recordParityMismatch({
        handle: handle(10),
        op: 'Add',
        type: 'euint8',
        expected: 3n,
        actual: 4n,
      });
      await store.recordParityMismatch({
        handle: handle(11),
        op: 'Mul',
        type: 'euint256',
        expected: wide,
        actual: 0n,
      });
      await store.close();
      store = await fixture.open();

      expect((await store.getCiphertext(handle(10)))?.computedInCleartext).toBe(false);
      expect((await store.getCiphertext(handle(11)))?.computedInCleartext).toBe(true);
      expect((await store.getCiphertext(handle(1)))?.computedInCleartext).toBe(false);
      expect(await store.parityMismatches(10)).toEqual([
        {
          handle: handle(11),
          op: 'Mul',
          type: 'euint256',
          expected: wide,
          actual: 0n,
          at: expect.any(Number),
        },
        { handle: handle(10), op: 'Add', type: 'euint8', expected: 3n, actual: 4n, at: expect.any(Number) },
      ]);
      expect(await store.parityMismatches(1)).toHaveLength(1);
      expect(await store.counts()).toMatchObject({
        ciphertexts: 4,
        cleartextCiphertexts: 1,
        parityMismatches: 2,
      });
      // A mismatch is a finding about the engine: a chain rollback does not erase it.
      await store.rollbackAfter(-1);
      expect(await store.counts()).toMatchObject({ cleartextCiphertexts: 0, parityMismatches: 2 });
    });

    it('leases claimed work to one worker until it expires, renews and releases leases', async () => {
      await store.insertInputCiphertexts([input(1), input(2)]);
      await store.ingestBlock(block(1, { computations: [add(10, 1, 2, 1, 0), add(11, 1, 2, 1, 1)] }));
      const now = Date.now();
      const claim = (worker: string, at = now, limit = 10) =>
        store.claimComputations({ worker, limit, leaseMs: 1000, now: at });

      expect((await claim('a', now, 1)).map((c) => c.outputHandle)).toEqual([handle(10)]);
      expect((await claim('b')).map((c) => c.outputHandle)).toEqual([handle(11)]);
      expect(await claim('c')).toEqual([]);
      // A worker's own claims come back to it (a restart under the same id resumes at once).
      expect((await claim('a')).map((c) => c.outputHandle)).toEqual([handle(10)]);
      expect(await store.leases(now)).toEqual([
        { worker: 'a', computations: 1, expiresAt: now + 1000 },
        { worker: 'b', computations: 1, expiresAt: now + 1000 },
      ]);

      // b renews, a does not: after the lease time only a's claim returns to the queue.
      expect(await store.renewLeases('b', now + 5000)).toBe(1);
      expect((await claim('c', now + 2000)).map((c) => c.outputHandle)).toEqual([handle(10)]);
      expect(await store.renewLeases('a', now + 9000)).toBe(0);
      expect(
        await store.completeComputation(
          { outputHandle: handle(10), txHash: hash32(1, 0xcc) },
          { type: FheType.Uint8, bytes: CT },
        ),
      ).toBe(true);
      expect(await store.leases(now + 2000)).toEqual([
        { worker: 'b', computations: 1, expiresAt: now + 5000 },
      ]);
      expect(await store.releaseLeases('b')).toBe(1);
      expect((await claim('c', now + 2000)).map((c) => c.outputHandle)).toEqual([handle(11)]);
    });

    it('gives a handle computed for two transactions to the worker that holds it', async () => {
      await store.insertInputCiphertexts([input(1), input(2)]);
      await store.ingestBlock(block(1, { computations: [add(10, 1, 2, 1)] }));
      await store.ingestBlock(block(2, { computations: [add(10, 1, 2, 2)] }));
      const now = Date.now();
      const [first] = await store.claimComputations({ worker: 'a', limit: 1, leaseMs: 1000, now });
      expect(first.txHash).toBe(hash32(1, 0xcc));
      expect(await store.claimComputations({ worker: 'b', limit: 10, leaseMs: 1000, now })).toEqual([]);
      const mine = await store.claimComputations({ worker: 'a', limit: 10, leaseMs: 1000, now });
      expect(mine.map((c) => c.txHash)).toEqual([hash32(1, 0xcc), hash32(2, 0xcc)]);
    });

    it('binds the store to one keyset and refuses another, writing nothing', async () => {
      await store.bindKeyset('aa'.repeat(32));
      await store.bindKeyset('aa'.repeat(32));
      await expect(store.bindKeyset('bb'.repeat(32))).rejects.toMatchObject({
        code: 'FHE_STORE_KEYSET_MISMATCH',
      });
      await store.close();
      store = await fixture.open();
      await expect(store.bindKeyset('bb'.repeat(32))).rejects.toMatchObject({
        code: 'FHE_STORE_KEYSET_MISMATCH',
      });
    });
  });
}
