import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { createPublicClient, type Hex, http, type Log, numberToHex, webSocket } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aclAbi } from '../../src/chain/abis.js';
import { type ChainHandle, startChain } from '../../src/chain/start-chain.js';
import { HostListener } from '../../src/coprocessor/listener.js';
import { CoprocessorMetrics } from '../../src/coprocessor/metrics.js';
import { openSqliteStore, type SqliteCoprocessorStore } from '../../src/coprocessor/sqlite-store.js';
import { AllowedEventType } from '../../src/coprocessor/store.js';
import { FhekitError } from '../../src/errors.js';
import { FheType } from '../../src/fhevm/fhe-types.js';
import { FheOp } from '../../src/fhevm/operations.js';
import { chainFiles } from '../../src/state-dir.js';
import { deployFixture, executorEvents, transact } from '../chain/fixture-chain.js';
import type { DeployedFixture } from './helpers.js';
import { allowedTo, publiclyAllowed, tempDir, until } from './helpers.js';

const silent = pino({ level: 'silent' });

describe('HostListener on a real anvil with the host contracts', () => {
  let chain: ChainHandle;
  let ops: DeployedFixture;
  let dir: { dir: string; cleanup: () => void };
  let store: SqliteCoprocessorStore;

  const metrics = () =>
    new CoprocessorMetrics(async () => ({
      pending: 0,
      ready: 0,
      inFlight: 0,
      failed: 0,
      headBlock: null,
      cursorBlock: null,
    }));

  function listener(client = chain.publicClient as never, subscribe = false) {
    return new HostListener({
      client,
      store,
      addresses: chain.addresses,
      metrics: metrics(),
      logger: silent,
      pollIntervalMs: 50,
      subscribe,
    });
  }

  async function caughtUp() {
    const head = Number(await chain.publicClient.getBlockNumber({ cacheTime: 0 }));
    await until(async () => (await store.getCursor())?.number === head, 10_000, `cursor at ${head}`);
  }

  /** The executor events of a transaction, decoded independently of the listener. */
  const resultOf = (logs: Log[], index = -1) => {
    const events = executorEvents(chain, logs);
    return (events.at(index)!.args as { result: Hex }).result;
  };

  beforeAll(async () => {
    chain = await startChain();
    ops = await deployFixture(chain, 'HandleOps');
    dir = tempDir();
    store = openSqliteStore(join(dir.dir, 'coprocessor.db'));
  });
  afterAll(async () => {
    await store?.close();
    await chain?.stop();
    dir?.cleanup();
  });

  it('decodes executor and ACL events of real transactions into rows, once, in block order', async () => {
    const running = listener();
    running.start();
    try {
      const addLogs = await transact(chain, ops, 'binaryPlain', [
        FheOp.Add,
        FheType.Uint8,
        200n,
        100n,
        false,
      ]);
      const scalarLogs = await transact(chain, ops, 'binaryPlain', [
        FheOp.Add,
        FheType.Uint8,
        5n,
        0x1207n,
        true,
      ]);
      const randLogs = await transact(chain, ops, 'randBounded', [16n, FheType.Uint8]);
      const castLogs = await transact(chain, ops, 'castPlain', [FheType.Uint8, 9n, FheType.Uint16]);
      const selectLogs = await transact(chain, ops, 'selectPlain', [true, FheType.Uint8, 1n, 2n]);
      await caughtUp();

      // add: TrivialEncrypt(200), TrivialEncrypt(100), FheAdd; result handle straight from the event.
      const [lhsEvent, rhsEvent] = executorEvents(chain, addLogs) as { args: { result: Hex } }[];
      const addResult = resultOf(addLogs);
      const [add] = await store.computationsFor(addResult);
      expect(add).toMatchObject({
        op: FheOp.Add,
        resultType: FheType.Uint8,
        isScalar: false,
        operands: [{ handle: lhsEvent.args.result }, { handle: rhsEvent.args.result }],
        txHash: addLogs[0].transactionHash,
        blockNumber: Number(addLogs[0].blockNumber),
        status: 'pending',
      });
      const [trivial] = await store.computationsFor(lhsEvent.args.result);
      expect(trivial).toMatchObject({
        op: FheOp.TrivialEncrypt,
        operands: [{ scalar: numberToHex(200n, { size: 32 }) }],
      });
      expect(trivial.logIndex).toBeLessThan(add.logIndex);

      const [scalarAdd] = await store.computationsFor(resultOf(scalarLogs));
      expect(scalarAdd).toMatchObject({
        isScalar: true,
        operands: [{}, { scalar: numberToHex(0x1207n, { size: 32 }) }],
      });

      const [rand] = await store.computationsFor(resultOf(randLogs));
      expect(rand).toMatchObject({
        op: FheOp.RandBounded,
        operands: [{ scalar: numberToHex(16n, { size: 32 }) }],
      });
      expect(rand.seed).toMatch(/^0x[0-9a-f]{32}$/);

      const [cast] = await store.computationsFor(resultOf(castLogs));
      expect(cast).toMatchObject({ op: FheOp.Cast, resultType: FheType.Uint16, isScalar: true });

      const [select] = await store.computationsFor(resultOf(selectLogs));
      expect(select.op).toBe(FheOp.IfThenElse);
      expect(select.operands).toHaveLength(3);

      // _publish: Allowed(this), Allowed(sender), AllowedForDecryption.
      expect(await allowedTo(store, addResult, ops.address)).toBe(true);
      expect(await allowedTo(store, addResult, chain.deployer.address)).toBe(true);
      expect(await publiclyAllowed(store, addResult)).toBe(true);
      expect((await store.allowedRows(addResult)).map((r) => r.eventType).sort()).toEqual([
        AllowedEventType.Allowed,
        AllowedEventType.Allowed,
        AllowedEventType.AllowedForDecryption,
      ]);
      // 3 (add tx) + 2 (scalar add) + 1 + 2 (cast) + 4 (select) events.
      expect((await store.counts()).computations.pending).toBe(12);
    } finally {
      await running.stop();
    }
  });

  it('maps every executor operation event to its op code', async () => {
    const running = listener();
    running.start();
    try {
      const produced: [number, Hex][] = [];
      for (let op: number = FheOp.Add; op <= FheOp.Max; op++) {
        // div and rem only take a plaintext divisor.
        const scalar = op === FheOp.Div || op === FheOp.Rem;
        produced.push([
          op,
          resultOf(await transact(chain, ops, 'binaryPlain', [op, FheType.Uint8, 7n, 3n, scalar])),
        ]);
      }
      for (const op of [FheOp.Neg, FheOp.Not]) {
        produced.push([op, resultOf(await transact(chain, ops, 'unaryPlain', [op, FheType.Uint8, 7n]))]);
      }
      produced.push([FheOp.Rand, resultOf(await transact(chain, ops, 'rand', [FheType.Uint8]))]);
      await caughtUp();
      for (const [op, result] of produced) {
        const [row] = await store.computationsFor(result);
        expect({ op: row.op, resultType: row.resultType }).toEqual({
          op,
          resultType: op >= FheOp.Eq && op <= FheOp.Lt ? FheType.Bool : FheType.Uint8,
        });
      }
    } finally {
      await running.stop();
    }
  });

  it('records user-decryption delegations and revocations', async () => {
    const running = listener();
    running.start();
    try {
      const delegate = '0x000000000000000000000000000000000000de1e' as const;
      const { timestamp } = await chain.publicClient.getBlock();
      const expiration = timestamp + 7200n;
      const acl = { address: chain.addresses.acl, abi: aclAbi } as const;
      await chain.publicClient.waitForTransactionReceipt({
        hash: await chain.walletClient.writeContract({
          ...acl,
          functionName: 'delegateForUserDecryption',
          args: [delegate, ops.address, expiration],
        }),
      });
      await chain.testClient.mine({ blocks: 1 });
      await chain.publicClient.waitForTransactionReceipt({
        hash: await chain.walletClient.writeContract({
          ...acl,
          functionName: 'revokeDelegationForUserDecryption',
          args: [delegate, ops.address],
        }),
      });
      await caughtUp();
      const rows = await store.delegations(chain.deployer.address, delegate);
      expect(rows.map((r) => r.newExpiration)).toEqual([expiration, 0n]);
      expect(rows[0].contractAddress).toBe(ops.address.toLowerCase());
    } finally {
      await running.stop();
    }
  });

  it('resumes from the cursor after a restart without duplicating rows', async () => {
    const before = await store.counts();
    const logs = await transact(chain, ops, 'unaryPlain', [FheOp.Not, FheType.Uint8, 3n]);
    const restarted = listener();
    restarted.start();
    try {
      await caughtUp();
      expect(await store.computationsFor(resultOf(logs))).toHaveLength(1);
      const after = await store.counts();
      expect(after.computations.pending).toBe(before.computations.pending + 2);
      expect(after.allowed).toBe(before.allowed + 3);
    } finally {
      await restarted.stop();
    }
  });

  it('rolls back the rows of blocks dropped by a reorg and ingests the new branch', async () => {
    const running = listener();
    running.start();
    try {
      await caughtUp();
      const snapshot = await chain.testClient.snapshot();
      const droppedLogs = await transact(chain, ops, 'trivialEncrypt', [77n, FheType.Uint8]);
      await caughtUp();
      const dropped = resultOf(droppedLogs);
      const [droppedRow] = await store.computationsFor(dropped);
      // Pretend the scheduler already computed it.
      await store.completeComputation(droppedRow, { type: FheType.Uint8, bytes: new Uint8Array([1]) });
      expect(await store.getCiphertext(dropped)).not.toBeNull();

      await chain.testClient.revert({ id: snapshot });
      const keptLogs = await transact(chain, ops, 'trivialEncrypt', [78n, FheType.Uint8]);
      await chain.testClient.mine({ blocks: 1 });
      await caughtUp();
      const cursor = await store.getCursor();
      const canonical = await chain.publicClient.getBlock({ blockNumber: BigInt(cursor!.number) });
      expect(cursor!.hash).toBe(canonical.hash);
      expect(await store.computationsFor(dropped)).toEqual([]);
      expect(await store.getCiphertext(dropped)).toBeNull();
      expect(await allowedTo(store, dropped, chain.deployer.address)).toBe(false);
      expect(await store.computationsFor(resultOf(keptLogs))).toHaveLength(1);
    } finally {
      await running.stop();
    }
  });

  it('detects a reorg that happened while it was down, and catches up on the new branch', async () => {
    const first = listener();
    first.start();
    const snapshot = await chain.testClient.snapshot();
    const droppedLogs = await transact(chain, ops, 'trivialEncrypt', [91n, FheType.Uint8]);
    await chain.testClient.mine({ blocks: 3 });
    await caughtUp();
    await first.stop();

    // While the listener is down: the 4 blocks it ingested are replaced by a longer branch.
    await chain.testClient.revert({ id: snapshot });
    await chain.testClient.mine({ blocks: 6 });
    const keptLogs = await transact(chain, ops, 'trivialEncrypt', [92n, FheType.Uint8]);
    const restarted = listener();
    restarted.start();
    try {
      await caughtUp();
      expect(await store.computationsFor(resultOf(droppedLogs))).toEqual([]);
      expect(await store.computationsFor(resultOf(keptLogs))).toHaveLength(1);
      const cursor = (await store.getCursor())!;
      expect(cursor.hash).toBe(
        (await chain.publicClient.getBlock({ blockNumber: BigInt(cursor.number) })).hash,
      );
    } finally {
      await restarted.stop();
    }
  });

  it('starts at startBlock on an empty store, ignoring earlier history', async () => {
    const before = await transact(chain, ops, 'trivialEncrypt', [61n, FheType.Uint8]);
    const head = Number(await chain.publicClient.getBlockNumber({ cacheTime: 0 }));
    const fresh = openSqliteStore(join(dir.dir, 'from-head.db'));
    const running = new HostListener({
      client: chain.publicClient as never,
      store: fresh,
      addresses: chain.addresses,
      metrics: metrics(),
      logger: silent,
      pollIntervalMs: 50,
      startBlock: head + 1,
    });
    running.start();
    try {
      const after = await transact(chain, ops, 'trivialEncrypt', [62n, FheType.Uint8]);
      await until(
        async () => (await fresh.computationsFor(resultOf(after))).length === 1,
        10_000,
        'new event',
      );
      expect(await fresh.computationsFor(resultOf(before))).toEqual([]);
      expect((await fresh.getCursor())?.number).toBe(head + 1);
    } finally {
      await running.stop();
      await fresh.close();
    }
  });

  it('backs off while the host chain is unreachable', async () => {
    const unreachable = createPublicClient({ transport: http('http://127.0.0.1:9', { retryCount: 0 }) });
    const measured = metrics();
    const running = new HostListener({
      client: unreachable as never,
      store,
      addresses: chain.addresses,
      metrics: measured,
      logger: silent,
      pollIntervalMs: 100,
    });
    running.start();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await running.stop();
    // Without backoff a 100 ms poll fails ~20 times in 2 s; with it: 100, 200, 400, 800 ms waits.
    const failures = (await measured.errors.get()).values.find(
      (v) => v.labels.component === 'listener',
    )?.value;
    expect(failures).toBeGreaterThanOrEqual(3);
    expect(failures).toBeLessThanOrEqual(6);
  });

  it('follows new heads over WebSocket', async () => {
    const client = createPublicClient({ transport: webSocket(chain.wsUrl) });
    const running = listener(client as never, true);
    running.start();
    try {
      const logs = await transact(chain, ops, 'rand', [FheType.Bool]);
      await caughtUp();
      const [rand] = await store.computationsFor(resultOf(logs));
      expect(rand).toMatchObject({ op: FheOp.Rand, resultType: FheType.Bool, operands: [] });
    } finally {
      await running.stop();
      (await client.transport.getRpcClient()).close();
    }
  });
});

describe('HostListener on an existing chain with an empty database', () => {
  it('follows a chain anvil reloaded with a new genesis hash (block 1 keeps the old parent) up to its head', async () => {
    const dir = tempDir();
    const stateDir = join(dir.dir, 'chain');
    const first = await startChain({ stateDir });
    const ops = await deployFixture(first, 'HandleOps');
    const logs = await transact(first, ops, 'binaryPlain', [FheOp.Add, FheType.Uint8, 2n, 3n, false]);
    await first.stop();
    // What anvil's reloads were seen to do: genesis gets a new hash, block 1 keeps the old one as parent.
    // Made deterministic by changing the genesis header in the state file.
    const statePath = chainFiles(stateDir).state;
    const state = JSON.parse(readFileSync(statePath, 'utf8')) as {
      blocks: { header: { number: Hex; extraData: Hex } }[];
    };
    state.blocks.find((block) => block.header.number === '0x0')!.header.extraData = '0x01';
    writeFileSync(statePath, JSON.stringify(state));
    const chain = await startChain({ stateDir });
    const store = openSqliteStore(join(dir.dir, 'empty.db'));
    const rollbacks: unknown[] = [];
    const listener = new HostListener({
      client: chain.publicClient as never,
      store,
      addresses: chain.addresses,
      metrics: new CoprocessorMetrics(async () => ({
        pending: 0,
        ready: 0,
        inFlight: 0,
        failed: 0,
        headBlock: null,
        cursorBlock: null,
      })),
      logger: silent,
      pollIntervalMs: 50,
      onRollback: (rollback) => rollbacks.push(rollback),
    });
    try {
      const [genesis, second] = await Promise.all(
        [0n, 1n].map((blockNumber) => chain.publicClient.getBlock({ blockNumber })),
      );
      expect(second!.parentHash).not.toBe(genesis!.hash); // the situation that made the listener spin

      listener.start();
      const head = Number(await chain.publicClient.getBlockNumber({ cacheTime: 0 }));
      await until(async () => (await store.getCursor())?.number === head, 5_000, `cursor at ${head}`);
      await listener.whenCaughtUp(5_000);
      const result = (executorEvents(chain, logs).at(-1)!.args as { result: Hex }).result;
      expect(await store.computationsFor(result)).toHaveLength(1);
      expect(rollbacks).toEqual([]);
    } finally {
      await listener.stop();
      await store.close();
      await chain.stop();
      dir.cleanup();
    }
  });

  it('reports a listener that cannot make progress as FHE_LISTENER_STALLED instead of waiting forever', async () => {
    const dir = tempDir();
    const store = openSqliteStore(join(dir.dir, 'coprocessor.db'));
    const listener = new HostListener({
      client: createPublicClient({ transport: http('http://127.0.0.1:1', { retryCount: 0 }) }),
      store,
      addresses: {
        acl: '0x50157CFfD6bBFA2DECe204a89ec419c23ef5755D',
        executor: '0x0000000000000000000000000000000000000001',
      },
      metrics: new CoprocessorMetrics(async () => ({
        pending: 0,
        ready: 0,
        inFlight: 0,
        failed: 0,
        headBlock: null,
        cursorBlock: null,
      })),
      logger: silent,
      pollIntervalMs: 50,
    });
    listener.start();
    try {
      const startedAt = Date.now();
      const error = await listener.whenCaughtUp(1_000).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FhekitError);
      expect((error as FhekitError).code).toBe('FHE_LISTENER_STALLED');
      expect(Date.now() - startedAt).toBeLessThan(3_000);
    } finally {
      await listener.stop();
      await store.close();
      dir.cleanup();
    }
  });
});
