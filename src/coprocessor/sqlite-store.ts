import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Hex } from 'viem';
import { FhekitError } from '../errors.js';
import type { FheType } from '../fhevm/fhe-types.js';
import type { FheOp } from '../fhevm/operations.js';
import { checkCiphertextDigest, ciphertextDigest } from './ciphertext-digest.js';
import { operandHandles } from './computation-input.js';
import { MIGRATIONS } from './sqlite-migrations.js';
import type {
  AllowedEventType,
  AllowedRow,
  BlockId,
  BlockRef,
  ComputationCost,
  ComputationKey,
  ComputationStatus,
  ComputedResult,
  CoprocessorStore,
  DelegationRow,
  IngestedBlock,
  InputCiphertext,
  NewParityMismatch,
  ParityMismatchRow,
  ReadyComputation,
  RollbackSummary,
  StoreCounts,
  StoredCiphertext,
  StoredComputation,
  StoredOperand,
  TracedComputation,
  TransactionRef,
  WorkClaim,
  WorkerLease,
} from './store.js';
import { keysetMismatch, schemaTooNew } from './store-errors.js';

/** Blocks kept for reorg detection; a reorg deeper than this cannot be rolled back. */
export const KEPT_BLOCKS = 1024;

export interface SqliteStoreOptions {
  /**
   * On a rollback, keep the ciphertexts the dropped blocks computed (detached from any block) instead
   * of deleting them: a handle commits to its op and operands, so a computation that reappears with the
   * same handle (a test suite's evm_revert, then the same transaction again) reuses it.
   */
  keepRolledBackCiphertexts?: boolean;
}

/**
 * Why `new Database(path)` failed. better-sqlite3 loads its compiled module on first use, not at import,
 * so a build for another Node.js version (e.g. installed under one node, run under another) fails here.
 */
export function sqliteOpenError(path: string, cause: unknown): FhekitError {
  if ((cause as { code?: unknown } | null)?.code === 'ERR_DLOPEN_FAILED') {
    const reason = String((cause as Error).message).split('\n')[0];
    return new FhekitError(
      'FHE_SQLITE_NATIVE_UNLOADABLE',
      `better-sqlite3's compiled module does not load in Node.js ${process.version}: ${reason}`,
      {
        hint: 'Rebuild it with the Node.js you run fhekit with: `npm rebuild better-sqlite3` (a build made under another Node.js version cannot load).',
        cause,
      },
    );
  }
  return new FhekitError('FHE_STORE_OPEN', `Cannot open the coprocessor database ${path}.`, {
    hint: 'Check that the state directory is writable, or pass another --state-dir.',
    cause,
  });
}

export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): SqliteCoprocessorStore {
  let db: Database.Database;
  try {
    mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
  } catch (cause) {
    throw sqliteOpenError(path, cause);
  }
  db.function('ciphertext_digest', { deterministic: true }, (handle, type, bytes) =>
    ciphertextDigest(handle as Buffer, Number(type), bytes as Buffer),
  );
  try {
    // The first statements are the first reads of the file: a file that is not SQLite fails here.
    db.pragma('journal_mode = WAL');
    // NORMAL is durable with WAL except for the last commits on power loss (not on process crash).
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, path);
  } catch (error) {
    db.close();
    throw isDamagedFileError(error) ? unreadableDatabase(path, error) : error;
  }
  return new SqliteCoprocessorStore(db, options);
}

type SqliteError = InstanceType<typeof Database.SqliteError>;

function isDamagedFileError(error: unknown): error is SqliteError {
  if (!(error instanceof Database.SqliteError)) return false;
  return error.code === 'SQLITE_NOTADB' || error.code.startsWith('SQLITE_CORRUPT');
}

function unreadableDatabase(path: string, cause: SqliteError): FhekitError {
  return new FhekitError(
    'FHE_STORE_UNREADABLE',
    `The coprocessor database ${path} is damaged or not a SQLite database (${cause.code}).`,
    {
      hint: `Restore ${path} (with its -wal file) from a backup, or delete the state directory ${dirname(path)} to start over: a fresh state needs a fresh chain too, so delete the whole directory, not only the database.`,
      cause,
    },
  );
}

function migrate(db: Database.Database, path: string): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const applied =
    (db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
  const latest = MIGRATIONS.at(-1)?.version ?? 0;
  if (applied > latest) throw schemaTooNew(path, applied, latest);
  for (const migration of MIGRATIONS.filter((m) => m.version > applied)) {
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        Date.now(),
      );
    })();
  }
}

const blob = (hex: Hex): Buffer => Buffer.from(hex.slice(2), 'hex');
const hex = (buffer: Buffer): Hex => `0x${buffer.toString('hex')}`;
const bytesOf = (buffer: Buffer): Uint8Array =>
  new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
const lower = (address: Hex): Hex => address.toLowerCase() as Hex;

interface ComputationRow {
  output_handle: Buffer;
  tx_hash: Buffer;
  op: number;
  result_type: number;
  is_scalar: number;
  seed: Buffer | null;
  status: ComputationStatus;
  error: string | null;
  attempts: number;
  block_number: number;
  log_index: number;
  created_at: number;
  completed_at: number | null;
  emissions: number;
  compute_ms: number | null;
  pbs: number | null;
}

interface CiphertextRow {
  handle: Buffer;
  type: number;
  bytes: Buffer;
  tx_hash: Buffer | null;
  block_number: number | null;
  input_blob_hash: Buffer | null;
  input_index: number | null;
  digest: Buffer;
  computed_in_cleartext: number;
}

const READY_CONDITION = `c.status = 'pending' AND c.missing_operands = 0 AND c.retry_at <= @now`;

/** Distinct operand handles of a computation `c` that have no ciphertext yet. */
const MISSING_OPERANDS = `(SELECT COUNT(DISTINCT o.handle) FROM computation_operands o
  WHERE o.output_handle = c.output_handle AND o.tx_hash = c.tx_hash AND o.handle IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM ciphertexts x WHERE x.handle = o.handle))`;

export class SqliteCoprocessorStore implements CoprocessorStore {
  private readonly statements;

  constructor(
    private readonly db: Database.Database,
    private readonly options: SqliteStoreOptions = {},
  ) {
    this.statements = {
      cursor: db.prepare('SELECT block_number, block_hash FROM listener_cursor WHERE id = 1'),
      block: db.prepare('SELECT number, hash, parent_hash FROM blocks WHERE number = ?'),
      insertBlock: db.prepare(
        'INSERT OR REPLACE INTO blocks (number, hash, parent_hash, ingested_at) VALUES (?, ?, ?, ?)',
      ),
      pruneBlocks: db.prepare('DELETE FROM blocks WHERE number < ?'),
      setCursor: db.prepare(
        'INSERT OR REPLACE INTO listener_cursor (id, block_number, block_hash) VALUES (1, ?, ?)',
      ),
      clearCursor: db.prepare('DELETE FROM listener_cursor'),
      insertComputation: db.prepare(`INSERT INTO computations
        (output_handle, tx_hash, op, result_type, is_scalar, seed, block_number, log_index, created_at,
         missing_operands)
        VALUES (@outputHandle, @txHash, @op, @resultType, @isScalar, @seed, @blockNumber, @logIndex, @now,
         @missingOperands)
        ON CONFLICT (output_handle, tx_hash) DO UPDATE SET emissions = emissions + 1 RETURNING emissions`),
      hasCiphertext: db.prepare('SELECT 1 FROM ciphertexts WHERE handle = ?'),
      // A handle that can no longer come: no ciphertext, and every computation producing it failed.
      failedOperand: db.prepare(`SELECT error FROM computations WHERE output_handle = @h AND status = 'error'
        AND NOT EXISTS (SELECT 1 FROM computations WHERE output_handle = @h AND status <> 'error')
        AND NOT EXISTS (SELECT 1 FROM ciphertexts WHERE handle = @h) LIMIT 1`),
      failComputation: db.prepare(`UPDATE computations SET status = 'error', error = ?
        WHERE output_handle = ? AND tx_hash = ?`),
      insertOperand: db.prepare(
        'INSERT INTO computation_operands (output_handle, tx_hash, position, handle, scalar) VALUES (?, ?, ?, ?, ?)',
      ),
      insertAllowed: db.prepare(`INSERT OR IGNORE INTO allowed_handles
        (handle, account, event_type, tx_hash, block_number) VALUES (?, ?, ?, ?, ?)`),
      insertDelegation: db.prepare(`INSERT OR IGNORE INTO delegations
        (delegator, delegate, contract_address, delegation_counter, old_expiration, new_expiration,
         tx_hash, block_number, log_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      ready:
        db.prepare(`SELECT c.*, EXISTS (SELECT 1 FROM ciphertexts x WHERE x.handle = c.output_handle) AS output_exists
        FROM computations c WHERE ${READY_CONDITION} ORDER BY c.block_number, c.log_index LIMIT @limit`),
      countReady: db.prepare(`SELECT COUNT(*) AS n FROM computations c WHERE ${READY_CONDITION}`),
      recountPendingMissing: db.prepare(
        `UPDATE computations AS c SET missing_operands = ${MISSING_OPERANDS} WHERE c.status = 'pending'`,
      ),
      // Called only when the ciphertext row was just inserted, so each operand handle counts once.
      operandArrived: db.prepare(`UPDATE computations SET missing_operands = missing_operands - 1
        WHERE (output_handle, tx_hash) IN (SELECT output_handle, tx_hash FROM computation_operands WHERE handle = ?)`),
      operands: db.prepare(
        'SELECT handle, scalar FROM computation_operands WHERE output_handle = ? AND tx_hash = ? ORDER BY position',
      ),
      computationsFor: db.prepare(
        'SELECT * FROM computations WHERE output_handle = ? ORDER BY block_number, log_index',
      ),
      claim: db.prepare(`UPDATE computations SET claimed_by = @worker, lease_expires_at = @until
        WHERE (output_handle, tx_hash) IN (
          SELECT c.output_handle, c.tx_hash FROM computations c
          WHERE ${READY_CONDITION} AND (c.lease_expires_at <= @now OR c.claimed_by = @worker)
            AND NOT EXISTS (SELECT 1 FROM computations o WHERE o.output_handle = c.output_handle
              AND o.tx_hash <> c.tx_hash AND o.status = 'pending' AND o.lease_expires_at > @now
              AND o.claimed_by <> @worker)
          ORDER BY c.block_number, c.log_index LIMIT @limit)
        RETURNING *, EXISTS (SELECT 1 FROM ciphertexts x WHERE x.handle = computations.output_handle) AS output_exists`),
      renewLeases: db.prepare(`UPDATE computations SET lease_expires_at = ?
        WHERE claimed_by = ? AND status = 'pending'`),
      releaseLeases: db.prepare(`UPDATE computations SET claimed_by = NULL, lease_expires_at = 0
        WHERE claimed_by = ? AND status = 'pending'`),
      leases:
        db.prepare(`SELECT claimed_by AS worker, COUNT(*) AS computations, MAX(lease_expires_at) AS expiresAt
        FROM computations WHERE status = 'pending' AND lease_expires_at > ? GROUP BY claimed_by ORDER BY claimed_by`),
      bindKeyset: db.prepare(
        'INSERT OR IGNORE INTO keyset_binding (id, fingerprint, bound_at) VALUES (1, ?, ?)',
      ),
      boundKeyset: db.prepare('SELECT fingerprint FROM keyset_binding WHERE id = 1'),
      markDone:
        db.prepare(`UPDATE computations SET status = 'done', error = NULL, completed_at = ?, lease_expires_at = 0,
        compute_ms = ?, pbs = ? WHERE output_handle = ? AND tx_hash = ? AND status = 'pending'`),
      insertComputedCiphertext: db.prepare(`INSERT OR IGNORE INTO ciphertexts
        (handle, type, bytes, digest, computed_in_cleartext, tx_hash, block_number, created_at)
        SELECT output_handle, ?, ?, ?, ?, tx_hash, block_number, ? FROM computations WHERE output_handle = ? AND tx_hash = ?`),
      recordFailure: db.prepare(`UPDATE computations SET attempts = attempts + 1, error = @error,
        status = CASE WHEN attempts + 1 >= @maxAttempts THEN 'error' ELSE 'pending' END, retry_at = @retryAt,
        lease_expires_at = 0 WHERE output_handle = @outputHandle AND tx_hash = @txHash AND status = 'pending' RETURNING status`),
      failDependents: db.prepare(`WITH RECURSIVE doomed(handle) AS (
          SELECT @handle
          UNION
          SELECT o.output_handle FROM computation_operands o JOIN doomed d ON o.handle = d.handle
          WHERE NOT EXISTS (SELECT 1 FROM ciphertexts x WHERE x.handle = o.output_handle))
        UPDATE computations SET status = 'error', error = @error
        WHERE status = 'pending' AND output_handle IN (SELECT handle FROM doomed) AND output_handle <> @handle`),
      transactionComputations: db.prepare(
        'SELECT * FROM computations WHERE tx_hash = ? ORDER BY block_number, log_index',
      ),
      recentTransactions: db.prepare(`SELECT tx_hash, MAX(block_number) AS block_number, COUNT(*) AS n,
        MIN(created_at) AS ingested_at FROM computations GROUP BY tx_hash
        ORDER BY MAX(block_number) DESC, MAX(log_index) DESC LIMIT ?`),
      failedComputations: db.prepare(
        `SELECT * FROM computations WHERE status = 'error' ORDER BY block_number DESC, log_index DESC LIMIT ?`,
      ),
      ciphertext: db.prepare('SELECT * FROM ciphertexts WHERE handle = ?'),
      insertInputCiphertext: db.prepare(`INSERT OR IGNORE INTO ciphertexts
        (handle, type, bytes, digest, input_blob_hash, input_index, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`),
      allowedRows: db.prepare(
        'SELECT * FROM allowed_handles WHERE handle = ? ORDER BY block_number, event_type',
      ),
      delegations: db.prepare(
        'SELECT * FROM delegations WHERE delegator = ? AND delegate = ? ORDER BY block_number, log_index',
      ),
      statusCounts: db.prepare('SELECT status, COUNT(*) AS n FROM computations GROUP BY status'),
      countCiphertexts: db.prepare('SELECT COUNT(*) AS n FROM ciphertexts'),
      countCleartextCiphertexts: db.prepare(
        'SELECT COUNT(*) AS n FROM ciphertexts WHERE computed_in_cleartext = 1',
      ),
      insertParityMismatch: db.prepare(`INSERT INTO parity_mismatches (handle, op, type, expected, actual, at)
        VALUES (?, ?, ?, ?, ?, ?)`),
      parityMismatches: db.prepare('SELECT * FROM parity_mismatches ORDER BY id DESC LIMIT ?'),
      countParityMismatches: db.prepare('SELECT COUNT(*) AS n FROM parity_mismatches'),
      countAllowed: db.prepare('SELECT COUNT(*) AS n FROM allowed_handles'),
    };
  }

  async getCursor(): Promise<BlockId | null> {
    const row = this.statements.cursor.get() as { block_number: number; block_hash: Buffer } | undefined;
    return row ? { number: row.block_number, hash: hex(row.block_hash) } : null;
  }

  async getBlock(number: number): Promise<BlockRef | null> {
    const row = this.statements.block.get(number) as
      | { number: number; hash: Buffer; parent_hash: Buffer }
      | undefined;
    return row ? { number: row.number, hash: hex(row.hash), parentHash: hex(row.parent_hash) } : null;
  }

  async ingestBlock(block: IngestedBlock): Promise<void> {
    const s = this.statements;
    const now = Date.now();
    this.db.transaction(() => {
      const cursor = s.cursor.get() as { block_number: number; block_hash: Buffer } | undefined;
      if (
        cursor &&
        (cursor.block_number !== block.number - 1 || hex(cursor.block_hash) !== block.parentHash)
      ) {
        throw new Error(
          `block ${block.number} (parent ${block.parentHash}) does not extend the cursor ${cursor.block_number} ${hex(cursor.block_hash)}`,
        );
      }
      for (const c of block.computations) {
        const inserted = s.insertComputation.get({
          outputHandle: blob(c.outputHandle),
          txHash: blob(c.txHash),
          op: c.op,
          resultType: c.resultType,
          isScalar: c.isScalar ? 1 : 0,
          seed: c.seed === null ? null : blob(c.seed),
          blockNumber: c.blockNumber,
          logIndex: c.logIndex,
          now,
          missingOperands: operandHandles(c).filter((h) => s.hasCiphertext.get(blob(h)) === undefined).length,
        }) as { emissions: number };
        // The same computation emitted again by this transaction: counted, its row is already there.
        if (inserted.emissions > 1) continue;
        c.operands.forEach((operand, position) => {
          const [handle, scalar] =
            'handle' in operand ? [blob(operand.handle), null] : [null, blob(operand.scalar)];
          s.insertOperand.run(blob(c.outputHandle), blob(c.txHash), position, handle, scalar);
        });
        for (const operand of operandHandles(c)) {
          const failed = s.failedOperand.get({ h: blob(operand) }) as { error: string } | undefined;
          if (failed) {
            const error = `operand ${operand} failed: ${failed.error}`;
            s.failComputation.run(error, blob(c.outputHandle), blob(c.txHash));
            s.failDependents.run({
              handle: blob(c.outputHandle),
              error: `operand ${c.outputHandle} failed: ${error}`,
            });
            break;
          }
        }
      }
      for (const a of block.allowed) {
        s.insertAllowed.run(
          blob(a.handle),
          a.account === '' ? '' : lower(a.account),
          a.eventType,
          blob(a.txHash),
          block.number,
        );
      }
      for (const d of block.delegations) {
        s.insertDelegation.run(
          lower(d.delegator),
          lower(d.delegate),
          lower(d.contractAddress),
          d.delegationCounter.toString(),
          d.oldExpiration.toString(),
          d.newExpiration.toString(),
          blob(d.txHash),
          block.number,
          d.logIndex,
        );
      }
      s.insertBlock.run(block.number, blob(block.hash), blob(block.parentHash), now);
      s.pruneBlocks.run(block.number - KEPT_BLOCKS);
      s.setCursor.run(block.number, blob(block.hash));
    })();
  }

  async rollbackAfter(blockNumber: number): Promise<RollbackSummary> {
    const db = this.db;
    return db.transaction(() => {
      const target =
        blockNumber >= 0
          ? (this.statements.block.get(blockNumber) as { hash: Buffer } | undefined)
          : undefined;
      if (blockNumber >= 0 && !target) {
        throw new FhekitError(
          'FHE_REORG_TOO_DEEP',
          `Cannot roll back to block ${blockNumber}: it is not recorded.`,
          {
            hint: `Reorgs deeper than ${KEPT_BLOCKS} blocks are not supported; start from a fresh state directory.`,
          },
        );
      }
      const blocks = db.prepare('DELETE FROM blocks WHERE number > ?').run(blockNumber).changes;
      const computations = db
        .prepare('DELETE FROM computations WHERE block_number > ?')
        .run(blockNumber).changes;
      // A ciphertext computed for a dropped block survives if a remaining computation produces the same handle.
      const orphans = `block_number > ?
          AND NOT EXISTS (SELECT 1 FROM computations c WHERE c.output_handle = ciphertexts.handle)`;
      if (this.options.keepRolledBackCiphertexts) {
        db.prepare(`UPDATE ciphertexts SET block_number = NULL WHERE ${orphans}`).run(blockNumber);
      }
      const ciphertexts = db.prepare(`DELETE FROM ciphertexts WHERE ${orphans}`).run(blockNumber).changes;
      if (ciphertexts > 0) this.statements.recountPendingMissing.run();
      const allowed = db
        .prepare('DELETE FROM allowed_handles WHERE block_number > ?')
        .run(blockNumber).changes;
      const delegations = db
        .prepare('DELETE FROM delegations WHERE block_number > ?')
        .run(blockNumber).changes;
      if (target) this.statements.setCursor.run(blockNumber, target.hash);
      else this.statements.clearCursor.run();
      return { blocks, computations, allowed, delegations, ciphertexts };
    })();
  }

  async readyComputations(limit: number, now: number): Promise<ReadyComputation[]> {
    const rows = this.statements.ready.all({ limit, now }) as (ComputationRow & { output_exists: number })[];
    return rows.map((row) => ({
      ...this.toNewComputation(row),
      attempts: row.attempts,
      outputExists: row.output_exists === 1,
    }));
  }

  async claimComputations(claim: WorkClaim): Promise<ReadyComputation[]> {
    const rows = this.statements.claim.all({
      worker: claim.worker,
      now: claim.now,
      until: claim.now + claim.leaseMs,
      limit: claim.limit,
    }) as (ComputationRow & { output_exists: number })[];
    rows.sort((a, b) => a.block_number - b.block_number || a.log_index - b.log_index);
    return rows.map((row) => ({
      ...this.toNewComputation(row),
      attempts: row.attempts,
      outputExists: row.output_exists === 1,
    }));
  }

  async renewLeases(worker: string, until: number): Promise<number> {
    return this.statements.renewLeases.run(until, worker).changes;
  }

  async releaseLeases(worker: string): Promise<number> {
    return this.statements.releaseLeases.run(worker).changes;
  }

  async leases(now: number): Promise<WorkerLease[]> {
    return this.statements.leases.all(now) as WorkerLease[];
  }

  /** SQLite cannot notify other processes: they poll (the in-process scheduler is woken directly). */
  async watchWork(): Promise<null> {
    return null;
  }

  async bindKeyset(keysetId: string): Promise<void> {
    const s = this.statements;
    this.db.transaction(() => {
      s.bindKeyset.run(keysetId, Date.now());
      const bound = (s.boundKeyset.get() as { fingerprint: string }).fingerprint;
      if (bound !== keysetId) throw keysetMismatch(this.db.name, bound, keysetId);
    })();
  }

  async completeComputation(
    key: ComputationKey,
    result: ComputedResult | null,
    cost?: ComputationCost,
  ): Promise<boolean> {
    const s = this.statements;
    const now = Date.now();
    return this.db.transaction(() => {
      const updated =
        s.markDone.run(
          now,
          cost?.computeMs ?? null,
          cost?.pbs ?? null,
          blob(key.outputHandle),
          blob(key.txHash),
        ).changes === 1;
      if (updated && result) {
        const inserted = s.insertComputedCiphertext.run(
          result.type,
          result.bytes,
          ciphertextDigest(blob(key.outputHandle), result.type, result.bytes),
          result.computedInCleartext ? 1 : 0,
          now,
          blob(key.outputHandle),
          blob(key.txHash),
        );
        if (inserted.changes === 1) s.operandArrived.run(blob(key.outputHandle));
      }
      return updated;
    })();
  }

  async recordComputationFailure(
    key: ComputationKey,
    error: string,
    policy: { maxAttempts: number; retryAt: number },
  ): Promise<ComputationStatus> {
    const s = this.statements;
    return this.db.transaction(() => {
      const row = s.recordFailure.get({
        outputHandle: blob(key.outputHandle),
        txHash: blob(key.txHash),
        error,
        maxAttempts: policy.maxAttempts,
        retryAt: policy.retryAt,
      }) as { status: ComputationStatus } | undefined;
      if (row?.status === 'error') {
        s.failDependents.run({
          handle: blob(key.outputHandle),
          error: `operand ${key.outputHandle} failed: ${error}`,
        });
      }
      return row?.status ?? 'error';
    })();
  }

  async computationsFor(outputHandle: Hex): Promise<StoredComputation[]> {
    const rows = this.statements.computationsFor.all(blob(outputHandle)) as ComputationRow[];
    return rows.map((row) => this.toStoredComputation(row));
  }

  async transactionComputations(txHash: Hex): Promise<TracedComputation[]> {
    const rows = this.statements.transactionComputations.all(blob(txHash)) as ComputationRow[];
    return rows.map((row) => this.toTracedComputation(row));
  }

  async recentTransactions(limit: number): Promise<TransactionRef[]> {
    const rows = this.statements.recentTransactions.all(limit) as {
      tx_hash: Buffer;
      block_number: number;
      n: number;
      ingested_at: number;
    }[];
    return rows.map((row) => ({
      txHash: hex(row.tx_hash),
      blockNumber: row.block_number,
      computations: row.n,
      ingestedAt: row.ingested_at,
    }));
  }

  async failedComputations(limit: number): Promise<TracedComputation[]> {
    const rows = this.statements.failedComputations.all(limit) as ComputationRow[];
    return rows.map((row) => this.toTracedComputation(row));
  }

  async getCiphertext(handle: Hex): Promise<StoredCiphertext | null> {
    const row = this.statements.ciphertext.get(blob(handle)) as CiphertextRow | undefined;
    if (!row) return null;
    checkCiphertextDigest(row, this.db.name);
    return toStoredCiphertext(row);
  }

  async getCiphertexts(handles: readonly Hex[]): Promise<Map<Hex, StoredCiphertext>> {
    const found = new Map<Hex, StoredCiphertext>();
    for (const handle of handles) {
      const ciphertext = await this.getCiphertext(handle);
      if (ciphertext) found.set(handle, ciphertext);
    }
    return found;
  }

  async insertInputCiphertexts(inputs: readonly InputCiphertext[]): Promise<void> {
    this.db.transaction(() => this.insertInputs(inputs))();
  }

  async allowedRows(handle: Hex): Promise<AllowedRow[]> {
    const rows = this.statements.allowedRows.all(blob(handle)) as {
      handle: Buffer;
      account: string;
      event_type: AllowedEventType;
      tx_hash: Buffer;
      block_number: number;
    }[];
    return rows.map((row) => ({
      handle: hex(row.handle),
      account: row.account as Hex | '',
      eventType: row.event_type,
      txHash: hex(row.tx_hash),
      blockNumber: row.block_number,
    }));
  }

  async delegations(delegator: Hex, delegate: Hex): Promise<DelegationRow[]> {
    const rows = this.statements.delegations.all(lower(delegator), lower(delegate)) as {
      delegator: Hex;
      delegate: Hex;
      contract_address: Hex;
      delegation_counter: string;
      old_expiration: string;
      new_expiration: string;
      tx_hash: Buffer;
      block_number: number;
      log_index: number;
    }[];
    return rows.map((row) => ({
      delegator: row.delegator,
      delegate: row.delegate,
      contractAddress: row.contract_address,
      delegationCounter: BigInt(row.delegation_counter),
      oldExpiration: BigInt(row.old_expiration),
      newExpiration: BigInt(row.new_expiration),
      txHash: hex(row.tx_hash),
      blockNumber: row.block_number,
      logIndex: row.log_index,
    }));
  }

  async recordParityMismatch(mismatch: NewParityMismatch): Promise<void> {
    this.statements.insertParityMismatch.run(
      blob(mismatch.handle),
      mismatch.op,
      mismatch.type,
      mismatch.expected.toString(),
      mismatch.actual.toString(),
      Date.now(),
    );
  }

  async parityMismatches(limit: number): Promise<ParityMismatchRow[]> {
    const rows = this.statements.parityMismatches.all(limit) as {
      handle: Buffer;
      op: string;
      type: string;
      expected: string;
      actual: string;
      at: number;
    }[];
    return rows.map((row) => ({
      handle: hex(row.handle),
      op: row.op,
      type: row.type,
      expected: BigInt(row.expected),
      actual: BigInt(row.actual),
      at: row.at,
    }));
  }

  async counts(): Promise<StoreCounts> {
    const s = this.statements;
    const computations: Record<ComputationStatus, number> = { pending: 0, done: 0, error: 0 };
    for (const row of s.statusCounts.all() as { status: ComputationStatus; n: number }[]) {
      computations[row.status] = row.n;
    }
    return {
      computations,
      ready: (s.countReady.get({ now: Date.now() }) as { n: number }).n,
      ciphertexts: (s.countCiphertexts.get() as { n: number }).n,
      cleartextCiphertexts: (s.countCleartextCiphertexts.get() as { n: number }).n,
      parityMismatches: (s.countParityMismatches.get() as { n: number }).n,
      allowed: (s.countAllowed.get() as { n: number }).n,
    };
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private insertInputs(inputs: readonly InputCiphertext[]): void {
    const now = Date.now();
    for (const input of inputs) {
      const inserted = this.statements.insertInputCiphertext.run(
        blob(input.handle),
        input.type,
        input.bytes,
        ciphertextDigest(blob(input.handle), input.type, input.bytes),
        blob(input.blobHash),
        input.index,
        now,
      );
      if (inserted.changes === 1) this.statements.operandArrived.run(blob(input.handle));
    }
  }

  private toNewComputation(row: ComputationRow) {
    const operandRows = this.statements.operands.all(row.output_handle, row.tx_hash) as {
      handle: Buffer | null;
      scalar: Buffer | null;
    }[];
    const operands: StoredOperand[] = operandRows.map((o) =>
      o.handle ? { handle: hex(o.handle) } : { scalar: hex(o.scalar!) },
    );
    return {
      outputHandle: hex(row.output_handle),
      txHash: hex(row.tx_hash),
      op: row.op as FheOp,
      resultType: row.result_type as FheType,
      operands,
      isScalar: row.is_scalar === 1,
      seed: row.seed ? hex(row.seed) : null,
      blockNumber: row.block_number,
      logIndex: row.log_index,
    };
  }

  private toStoredComputation(row: ComputationRow): StoredComputation {
    return {
      ...this.toNewComputation(row),
      status: row.status,
      error: row.error,
      attempts: row.attempts,
      createdAt: row.created_at,
      completedAt: row.completed_at,
    };
  }

  private toTracedComputation(row: ComputationRow): TracedComputation {
    return {
      ...this.toStoredComputation(row),
      emissions: row.emissions,
      computeMs: row.compute_ms,
      pbs: row.pbs,
    };
  }
}

function toStoredCiphertext(row: CiphertextRow): StoredCiphertext {
  return {
    handle: hex(row.handle),
    type: row.type as FheType,
    bytes: bytesOf(row.bytes),
    computedInCleartext: row.computed_in_cleartext === 1,
    txHash: row.tx_hash ? hex(row.tx_hash) : null,
    blockNumber: row.block_number,
    inputBlobHash: row.input_blob_hash ? hex(row.input_blob_hash) : null,
    inputIndex: row.input_index,
  };
}
