import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/coprocessor/sqlite-migrations.js';
import {
  openSqliteStore,
  type SqliteCoprocessorStore,
  sqliteOpenError,
} from '../../src/coprocessor/sqlite-store.js';
import { handle, hash32, tempDir } from './helpers.js';
import { add, block, CT, describeStoreContract, input } from './store-contract.js';

describeStoreContract('SQLite', () => {
  const dir = tempDir();
  const path = join(dir.dir, 'state', 'coprocessor.db');
  return {
    open: async () => openSqliteStore(path),
    tamperCiphertext: async (handle, change) => {
      const db = new Database(path);
      const key = Buffer.from(handle.slice(2), 'hex');
      const bytes = db.prepare('SELECT bytes FROM ciphertexts WHERE handle = ?').pluck().get(key) as Buffer;
      db.prepare('UPDATE ciphertexts SET bytes = ? WHERE handle = ?').run(change(bytes), key);
      db.close();
    },
    cleanup: async () => dir.cleanup(),
  };
});

describe('opening the SQLite store', () => {
  it('names a better-sqlite3 build that does not load in this Node.js, and says to rebuild it', () => {
    const dir = tempDir();
    try {
      // What loading a compiled module built for another Node.js throws: a real dlopen failure.
      const notAModule = join(dir.dir, 'better_sqlite3.node');
      writeFileSync(notAModule, 'not an ELF file');
      let failure: unknown;
      try {
        process.dlopen({ exports: {} }, notAModule);
      } catch (error) {
        failure = error;
      }
      expect(failure).toMatchObject({ code: 'ERR_DLOPEN_FAILED' });
      const error = sqliteOpenError(join(dir.dir, 'coprocessor.db'), failure);
      expect(error.code).toBe('FHE_SQLITE_NATIVE_UNLOADABLE');
      expect(error.message).toContain(process.version);
      expect(error.hint).toContain('npm rebuild better-sqlite3');
    } finally {
      dir.cleanup();
    }
  });

  it('reports a state directory it cannot create as FHE_STORE_OPEN', () => {
    const dir = tempDir();
    try {
      writeFileSync(join(dir.dir, 'state'), 'a file where the state directory should be');
      expect(() => openSqliteStore(join(dir.dir, 'state', 'coprocessor.db'))).toThrow(
        expect.objectContaining({ code: 'FHE_STORE_OPEN' }),
      );
    } finally {
      dir.cleanup();
    }
  });
});

describe('SqliteCoprocessorStore', () => {
  let dir: { dir: string; cleanup: () => void };
  let path: string;
  let store: SqliteCoprocessorStore;

  beforeEach(() => {
    dir = tempDir();
    path = join(dir.dir, 'state', 'coprocessor.db');
    store = openSqliteStore(path);
  });
  afterEach(async () => {
    await store.close();
    dir.cleanup();
  });

  it('with keepRolledBackCiphertexts, a computation that reappears after a rollback reuses its result', async () => {
    await store.close();
    store = openSqliteStore(path, { keepRolledBackCiphertexts: true });
    await store.insertInputCiphertexts([input(1), input(2)]);
    await store.ingestBlock(block(1));
    await store.ingestBlock(block(2, { computations: [add(10, 1, 2, 2)] }));
    const [first] = await store.readyComputations(10, Date.now());
    await store.completeComputation(first, { type: first.resultType, bytes: CT });

    expect(await store.rollbackAfter(1)).toMatchObject({ computations: 1, ciphertexts: 0 });
    expect(await store.getCiphertext(handle(10))).toMatchObject({ bytes: CT });
    // The same transaction mined again in a new block 2 (as after evm_revert in a test suite).
    await store.ingestBlock(block(2, { hash: hash32(2, 0xee), computations: [add(10, 1, 2, 2)] }));
    const [again] = await store.readyComputations(10, Date.now());
    expect(again).toMatchObject({ outputHandle: handle(10), outputExists: true });
  });

  it('creates a WAL database with a versioned migrations table, idempotently on reopen', async () => {
    await store.close();
    store = openSqliteStore(path);
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare('SELECT version FROM schema_migrations').pluck().all()).toEqual(
      MIGRATIONS.map((m) => m.version),
    );
    db.close();
  });

  it('upgrades a version-1 database, counting the missing operands of existing computations', async () => {
    await store.close();
    const v1Path = join(dir.dir, 'v1.db');
    const db = new Database(v1Path);
    db.exec(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
    );
    db.exec(MIGRATIONS[0].sql);
    db.prepare("INSERT INTO schema_migrations VALUES (1, 'initial schema', 0)").run();
    const b = (hex: string) => Buffer.from(hex.slice(2), 'hex');
    for (const [output, lhs] of [
      [10, 1],
      [11, 2],
    ]) {
      db.prepare(`INSERT INTO computations (output_handle, tx_hash, op, result_type, is_scalar, block_number,
        log_index, created_at) VALUES (?, ?, 20, 2, 0, 1, ?, 0)`).run(
        b(handle(output)),
        b(hash32(1)),
        output,
      );
      db.prepare('INSERT INTO computation_operands VALUES (?, ?, 0, ?, NULL)').run(
        b(handle(output)),
        b(hash32(1)),
        b(handle(lhs)),
      );
    }
    db.prepare('INSERT INTO ciphertexts (handle, type, bytes, created_at) VALUES (?, 2, ?, 0)').run(
      b(handle(1)),
      CT,
    );
    db.close();

    store = openSqliteStore(v1Path);
    expect((await store.readyComputations(10, Date.now())).map((c) => c.outputHandle)).toEqual([handle(10)]);
    // The digest migration computed the existing row's digest, so it reads back as before.
    expect([...(await store.getCiphertext(handle(1)))!.bytes]).toEqual([...CT]);
    await store.insertInputCiphertexts([input(2)]);
    expect((await store.readyComputations(10, Date.now())).map((c) => c.outputHandle)).toEqual([
      handle(10),
      handle(11),
    ]);
  });

  it('names a file that is not a SQLite database and says what to do, instead of SQLITE_NOTADB', async () => {
    await store.close();
    for (const file of ['coprocessor.db-wal', 'coprocessor.db-shm'])
      rmSync(join(dirname(path), file), { force: true });
    writeFileSync(path, Buffer.alloc(8192, 0x5a));
    expect(() => openSqliteStore(path)).toThrow(
      expect.objectContaining({
        code: 'FHE_STORE_UNREADABLE',
        message: expect.stringContaining(path),
        hint: expect.stringContaining('delete the state directory'),
      }),
    );
    store = openSqliteStore(join(dir.dir, 'other.db'));
  });

  it('refuses a database written by a newer schema', async () => {
    await store.close();
    const db = new Database(path);
    db.prepare('INSERT INTO schema_migrations VALUES (99, ?, 0)').run('future');
    db.close();
    expect(() => openSqliteStore(path)).toThrow(
      expect.objectContaining({ code: 'FHE_STORE_SCHEMA_TOO_NEW' }),
    );
    store = openSqliteStore(join(dir.dir, 'other.db'));
  });
});
