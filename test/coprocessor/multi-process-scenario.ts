import pg from 'pg';
import pino from 'pino';
import type { Hex, Log } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChainHandle, startChain } from '../../src/chain/start-chain.js';
import { openPostgresStore } from '../../src/coprocessor/postgres-store.js';
import { startWorkerService } from '../../src/coprocessor/services.js';
import { FheType } from '../../src/fhevm/fhe-types.js';
import { FheOp } from '../../src/fhevm/operations.js';
import { decryptWithClientKey } from '../../src/tfhe/client-ciphertexts.js';
import { deployFixture, executorEvents, transact } from '../chain/fixture-chain.js';
import { startTestPostgres, type TestPostgres } from '../postgres-cluster.js';
import { type DeployedFixture, testKeyset, until } from './helpers.js';
import { ServiceProcess } from './service-process.js';

const scalarWord = (value: bigint): Hex => `0x${value.toString(16).padStart(64, '0')}`;

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

/** What the shared database holds, read by a plain connection. */
async function rowsOf(url: string) {
  const hex = (b: Buffer) => `0x${b.toString('hex')}`;
  const computations = await query<{
    output_handle: Buffer;
    tx_hash: Buffer;
    status: string;
    claimed_by: string | null;
  }>(url, 'SELECT output_handle, tx_hash, status, claimed_by FROM computations');
  const [counts] = await query<{ ciphertexts: string; outputs: string; cursor: number | null }>(
    url,
    `SELECT (SELECT COUNT(*) FROM ciphertexts WHERE tx_hash IS NOT NULL) AS ciphertexts,
       (SELECT COUNT(DISTINCT output_handle) FROM computations) AS outputs,
       (SELECT block_number FROM listener_cursor) AS cursor`,
  );
  return {
    keys: computations.map((c) => `${hex(c.output_handle)}/${hex(c.tx_hash)}`),
    done: computations.filter((c) => c.status === 'done').length,
    pending: computations.filter((c) => c.status === 'pending').length,
    failed: computations.filter((c) => c.status === 'error').length,
    doneBy: (worker: string) =>
      computations.filter((c) => c.status === 'done' && c.claimed_by === worker).length,
    ciphertexts: Number(counts!.ciphertexts),
    outputs: Number(counts!.outputs),
    cursor: counts!.cursor === null ? -1 : Number(counts!.cursor),
  };
}

/**
 * One listener and several worker processes on one PostgreSQL database, computing a stream of
 * confidential transfers of `type` (balance ≥ amount ? balance − amount : balance) with the real engine.
 */
export function describeMultiProcess(type: typeof FheType.Uint8 | typeof FheType.Uint64): void {
  describe(`coprocessor services as processes on PostgreSQL (kill -9), ${type === FheType.Uint8 ? 'euint8' : 'euint64'}`, () => {
    let cluster: TestPostgres;
    let chain: ChainHandle;
    let ops: DeployedFixture;
    const running: ServiceProcess[] = [];

    beforeAll(async () => {
      cluster = await startTestPostgres();
      chain = await startChain();
      ops = await deployFixture(chain, 'HandleOps');
    });
    afterAll(async () => {
      for (const service of running) await service.kill9();
      await chain?.stop();
      await cluster?.stop();
    });

    const start = async (service: 'listener' | 'worker', args: string[]) => {
      const ready = service === 'listener' ? 'listener started' : 'worker started';
      const process = await ServiceProcess.start(service, args, ready);
      running.push(process);
      return process;
    };

    it('computes every transfer exactly once through a worker kill, a listener restart and a late worker', async () => {
      const url = await cluster.createDatabase();
      const keys = testKeyset();
      const listenerArgs = [
        '--database-url',
        url,
        '--rpc-url',
        chain.rpcUrl,
        '--acl-contract-address',
        chain.addresses.acl,
        '--tfhe-contract-address',
        chain.addresses.executor,
      ];
      const worker = (id: string) => [
        '--database-url',
        url,
        '--keys-dir',
        keys.dir,
        '--worker-id',
        id,
        '--coprocessor-fhe-threads',
        '1',
        '--work-items-batch-size',
        '4',
        '--work-lease-seconds',
        '3',
      ];
      const expected = new Set<string>();
      const record = (logs: Log[]) => {
        for (const event of executorEvents(chain, logs)) {
          expected.add(`${(event.args as { result: Hex }).result}/${logs[0]!.transactionHash}`);
        }
        return (executorEvents(chain, logs).at(-1)!.args as { result: Hex }).result;
      };
      const call = async (fn: string, args: unknown[]) => record(await transact(chain, ops, fn, args));
      // Accounts with euint8 balances; a transfer larger than the balance leaves it unchanged.
      const balances: Hex[] = [];
      const plain: bigint[] = [];
      const transfer = async (account: number, amount: bigint) => {
        const balance = balances[account]!;
        const enough = await call('binary', [FheOp.Ge, balance, scalarWord(amount), true]);
        const rest = await call('binary', [FheOp.Sub, balance, scalarWord(amount), true]);
        balances[account] = await call('select', [enough, rest, balance]);
        if (plain[account]! >= amount) plain[account]! -= amount;
      };
      const everythingDone = async () => {
        const rows = await rowsOf(url);
        return rows.cursor === Number(await chain.publicClient.getBlockNumber({ cacheTime: 0 })) &&
          rows.keys.length === expected.size &&
          rows.pending === 0
          ? rows
          : null;
      };

      const listener = await start('listener', listenerArgs);
      const a = await start('worker', worker('a'));
      const b = await start('worker', [...worker('b'), '--metrics-addr', '127.0.0.1:0']);
      // Kill a while it holds claims it has not finished (watching while the stream is sent): they return
      // to the queue when the lease expires.
      const claimedByA = async () =>
        (
          await query<{ key: string }>(
            url,
            `SELECT encode(output_handle, 'hex') || '/' || encode(tx_hash, 'hex') AS key FROM computations
           WHERE claimed_by = 'a' AND status = 'pending'`,
          )
        ).map((r) => r.key);
      // Frozen (SIGSTOP) before the look, so a claim seen unfinished cannot finish before the kill; a look
      // that finds every claim already done (a result committed just as a froze) thaws a and tries again.
      const killedMidBatch = (async () => {
        for (;;) {
          await until(
            async () => ((await claimedByA()).length > 0 ? true : null),
            120_000,
            'worker a holding claims',
          );
          a.freeze();
          await new Promise((resolve) => setTimeout(resolve, 300));
          const held = await claimedByA();
          if (held.length > 0) {
            await a.kill9();
            return held;
          }
          a.thaw();
        }
      })();
      for (let account = 0; account < 2; account++) {
        balances.push(await call('trivialEncrypt', [100n, type]));
        plain.push(100n);
      }
      for (const amount of [30n, 90n])
        for (let account = 0; account < 2; account++) await transfer(account, amount + BigInt(account));
      const heldByKilled = await killedMidBatch;
      await until(everythingDone, 180_000, 'worker b finishing the stream');

      // The listener dies; transfers go on; a restarted listener resumes from its cursor.
      await listener.kill9();
      // Each service serves its own /metrics: b counts what it computed.
      const started = b.output
        .join('')
        .split('\n')
        .find((line) => line.includes('worker started'))!;
      const metrics = await (await fetch(JSON.parse(started).metrics as string)).text();
      expect(metrics).toMatch(/fhekit_coprocessor_computations_total\{[^}]*outcome="computed"[^}]*\} [1-9]/);
      await b.stop();
      for (let account = 0; account < 2; account++) await transfer(account, 5n);
      await start('listener', listenerArgs);
      await until(
        async () => (await rowsOf(url)).keys.length === expected.size,
        60_000,
        'the restarted listener ingesting the backlog',
      );
      expect((await rowsOf(url)).pending).toBeGreaterThan(0);
      await start('worker', worker('c'));
      const end = (await until(everythingDone, 180_000, 'worker c taking the backlog'))!;

      // Exactly once: one row per (handle, transaction) the chain emitted, all done, one ciphertext per handle.
      expect(end.keys.sort()).toEqual([...expected].sort());
      expect(end).toMatchObject({ failed: 0, pending: 0, ciphertexts: end.outputs });
      // What the killed worker held was done by the others.
      const finishers = await query<{ key: string; claimed_by: string; status: string }>(
        url,
        `SELECT encode(output_handle, 'hex') || '/' || encode(tx_hash, 'hex') AS key, claimed_by, status
       FROM computations`,
      );
      for (const key of heldByKilled) {
        expect(finishers.find((r) => r.key === key)).toMatchObject({
          status: 'done',
          claimed_by: expect.not.stringMatching(/^a$/),
        });
      }
      expect(end.doneBy('b')).toBeGreaterThan(0);

      expect(end.doneBy('c')).toBeGreaterThan(0);
      const store = await openPostgresStore(url);
      try {
        for (let account = 0; account < 2; account++) {
          const stored = (await store.getCiphertext(balances[account]!))!;
          expect(decryptWithClientKey(type, stored.bytes, keys.clientKey)).toBe(plain[account]);
        }
      } finally {
        await store.close();
      }
    }, 600_000);

    it('refuses a worker with another keyset than the database, writing nothing', async () => {
      const url = await cluster.createDatabase();
      const store = await openPostgresStore(url);
      await store.bindKeyset('0'.repeat(64));
      await expect(
        startWorkerService({
          databaseUrl: url,
          keysDir: testKeyset().dir,
          logger: pino({ level: 'silent' }),
        }),
      ).rejects.toMatchObject({ code: 'FHE_STORE_KEYSET_MISMATCH' });
      expect(await store.leases(0)).toEqual([]);
      await store.close();
    });
  });
}
