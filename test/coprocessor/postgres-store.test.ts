import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_MIGRATIONS } from '../../src/coprocessor/postgres-migrations.js';
import { openPostgresStore } from '../../src/coprocessor/postgres-store.js';
import { startTestPostgres, type TestPostgres } from '../postgres-cluster.js';
import { handle } from './helpers.js';
import { add, block, CT, describeStoreContract, input } from './store-contract.js';

let cluster: TestPostgres;
beforeAll(async () => {
  cluster = await startTestPostgres();
});
afterAll(async () => {
  await cluster?.stop();
});

async function sql<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

describeStoreContract('PostgreSQL', () => {
  let url: Promise<string> | undefined;
  const database = () => (url ??= cluster.createDatabase());
  return {
    open: async () => openPostgresStore(await database()),
    tamperCiphertext: async (h, change) => {
      const key = Buffer.from(h.slice(2), 'hex');
      const [row] = await sql<{ bytes: Buffer }>(
        await database(),
        'SELECT bytes FROM ciphertexts WHERE handle = $1',
        [key],
      );
      await sql(await database(), 'UPDATE ciphertexts SET bytes = $1 WHERE handle = $2', [
        Buffer.from(change(row.bytes)),
        key,
      ]);
    },
    cleanup: async () => {},
  };
});

describe('PostgresCoprocessorStore', () => {
  it('records its schema version, and refuses a database of a newer one, writing nothing', async () => {
    const url = await cluster.createDatabase();
    await (await openPostgresStore(url)).close();
    await (await openPostgresStore(url)).close();
    expect(
      (await sql<{ version: number }>(url, 'SELECT version FROM schema_migrations')).map((r) => r.version),
    ).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
    await sql(url, "INSERT INTO schema_migrations VALUES (99, 'future', 0)");
    await expect(openPostgresStore(url)).rejects.toMatchObject({
      code: 'FHE_STORE_SCHEMA_TOO_NEW',
      message: expect.stringContaining('99'),
    });
  });

  it('names an unreachable server or a wrong URL without the password, instead of a driver error', async () => {
    const closedPort = new URL(cluster.adminUrl);
    closedPort.port = '1';
    closedPort.password = 'hunter2';
    const unreachable = openPostgresStore(closedPort.toString());
    await expect(unreachable).rejects.toMatchObject({ code: 'FHE_DATABASE_UNREACHABLE' });
    await expect(unreachable).rejects.not.toMatchObject({ message: expect.stringContaining('hunter2') });
    const noSuchDatabase = new URL(cluster.adminUrl);
    noSuchDatabase.pathname = '/no_such_database';
    await expect(openPostgresStore(noSuchDatabase.toString())).rejects.toMatchObject({
      code: 'FHE_DATABASE_UNREACHABLE',
      message: expect.stringContaining('no_such_database'),
    });
    await expect(openPostgresStore('mysql://localhost/x')).rejects.toMatchObject({
      code: 'FHE_DATABASE_URL_INVALID',
    });
  });

  it('refuses a database that holds tables fhekit did not create, writing nothing', async () => {
    const url = await cluster.createDatabase();
    await sql(url, 'CREATE TABLE ciphertexts (id INTEGER)');
    await expect(openPostgresStore(url)).rejects.toMatchObject({ code: 'FHE_STORE_MIGRATION_FAILED' });
    expect(await sql(url, "SELECT 1 FROM pg_tables WHERE tablename = 'schema_migrations'")).toEqual([]);
  });

  it('gives concurrent claimers disjoint batches (SKIP LOCKED) that together cover the queue', async () => {
    const url = await cluster.createDatabase();
    const stores = await Promise.all([
      openPostgresStore(url),
      openPostgresStore(url),
      openPostgresStore(url),
    ]);
    await stores[0]!.insertInputCiphertexts([input(1), input(2)]);
    await stores[0]!.ingestBlock(
      block(1, { computations: Array.from({ length: 60 }, (_, i) => add(100 + i, 1, 2, 1, i)) }),
    );
    const claimedBy = await Promise.all(
      stores.map(async (store, worker) => {
        const mine: string[] = [];
        for (;;) {
          const batch = await store.claimComputations({
            worker: `w${worker}`,
            limit: 5,
            leaseMs: 60_000,
            now: Date.now(),
          });
          const fresh = batch.filter((c) => !mine.includes(c.outputHandle));
          if (fresh.length === 0) return mine;
          mine.push(...fresh.map((c) => c.outputHandle));
          for (const c of fresh) await store.completeComputation(c, { type: c.resultType, bytes: CT });
        }
      }),
    );
    const all = claimedBy.flat();
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(60);
    expect((await stores[0]!.counts()).computations).toMatchObject({ done: 60, pending: 0 });
    for (const store of stores) await store.close();
  });

  it('notifies a watcher in another connection when work may have become ready', async () => {
    const url = await cluster.createDatabase();
    const writer = await openPostgresStore(url);
    const watcher = await openPostgresStore(url);
    let woken = 0;
    const unwatch = await watcher.watchWork(() => woken++);
    await writer.insertInputCiphertexts([input(1)]);
    const deadline = Date.now() + 5000;
    while (woken === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(woken).toBeGreaterThan(0);
    expect((await watcher.getCiphertext(handle(1)))?.inputIndex).toBe(0);
    await unwatch();
    await writer.close();
    await watcher.close();
  });
});
