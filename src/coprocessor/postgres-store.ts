import pg from 'pg';
import type { Hex } from 'viem';
import { FhekitError } from '../errors.js';
import type { FheType } from '../fhevm/fhe-types.js';
import type { FheOp } from '../fhevm/operations.js';
import { checkCiphertextDigest, ciphertextDigest } from './ciphertext-digest.js';
import { operandHandles } from './computation-input.js';
import { POSTGRES_MIGRATIONS } from './postgres-migrations.js';
import { KEPT_BLOCKS } from './sqlite-store.js';
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
  NewComputation,
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

export interface PostgresStoreOptions {
  /** Connections in this process's pool (default 10). */
  maxConnections?: number;
  /** As `SqliteStoreOptions.keepRolledBackCiphertexts`. */
  keepRolledBackCiphertexts?: boolean;
}

/** The channel a store notifies when work may have become ready (new computations or ciphertexts). */
const WORK_CHANNEL = 'fhekit_work';
/**
 * Advisory lock held by every transaction that inserts computations or ciphertexts. Readiness is a
 * counter of missing operands kept on each insert; two such transactions interleaving under READ
 * COMMITTED could each miss the other's row and leave a computation waiting forever.
 */
const WRITE_LOCK = 0x66686577; // "fhew"
const MIGRATION_LOCK = 0x6668656d; // "fhem"

/** BIGINT and COUNT(*) as numbers: block numbers and Unix milliseconds fit in 2^53. */
const TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** The URL without its password, for messages and logs. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

/** Connects, checks the schema version and applies pending migrations (under a lock: services may start together). */
export async function openPostgresStore(
  url: string,
  options: PostgresStoreOptions = {},
): Promise<PostgresCoprocessorStore> {
  const where = redactDatabaseUrl(url);
  if (!isPostgresUrl(url)) {
    throw new FhekitError('FHE_DATABASE_URL_INVALID', `${where} is not a PostgreSQL URL.`, {
      hint: 'Pass --database-url postgres://user:password@host:5432/database (or set FHE_DATABASE_URL).',
    });
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: 10_000,
    types: TYPES,
  });
  // An idle connection that breaks (server restart) is dropped by the pool; the next query reconnects.
  pool.on('error', () => {});
  try {
    await pool.query('SELECT 1');
  } catch (cause) {
    await pool.end();
    throw new FhekitError(
      'FHE_DATABASE_UNREACHABLE',
      `Cannot connect to the coprocessor database ${where}: ${(cause as Error).message}`,
      {
        hint: 'Check that PostgreSQL runs and accepts connections from this machine, and the host, port, user, password and database name in the URL.',
        cause,
      },
    );
  }
  try {
    await migrate(pool, where);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return new PostgresCoprocessorStore(pool, where, options);
}

async function migrate(pool: pg.Pool, where: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
    const applied =
      (await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations')).rows[0]!
        .v ?? 0;
    const latest = POSTGRES_MIGRATIONS.at(-1)?.version ?? 0;
    if (applied > latest) throw schemaTooNew(where, applied, latest);
    for (const migration of POSTGRES_MIGRATIONS.filter((m) => m.version > applied)) {
      try {
        await client.query(migration.sql);
      } catch (cause) {
        throw new FhekitError(
          'FHE_STORE_MIGRATION_FAILED',
          `Cannot apply schema version ${migration.version} (${migration.name}) to ${where}: ${(cause as Error).message}`,
          {
            hint: 'Use a database of its own for the coprocessor (an empty one, or one only fhekit wrote).',
            cause,
          },
        );
      }
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        Date.now(),
      ]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

type Queryable = Pick<pg.PoolClient, 'query'>;

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
  is_scalar: boolean;
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
  computed_in_cleartext: boolean;
}

const READY = `c.status = 'pending' AND c.missing_operands = 0 AND c.retry_at <= $1`;
const OUTPUT_EXISTS =
  'EXISTS (SELECT 1 FROM ciphertexts x WHERE x.handle = c.output_handle) AS output_exists';

const FAIL_DEPENDENTS = `WITH RECURSIVE doomed(handle) AS (
    SELECT $1::bytea
    UNION
    SELECT o.output_handle FROM computation_operands o JOIN doomed d ON o.handle = d.handle
    WHERE NOT EXISTS (SELECT 1 FROM ciphertexts x WHERE x.handle = o.output_handle))
  UPDATE computations SET status = 'error', error = $2
  WHERE status = 'pending' AND output_handle IN (SELECT handle FROM doomed) AND output_handle <> $1`;

/** Called only when the ciphertext row was just inserted, so each operand handle counts once. */
const OPERAND_ARRIVED = `UPDATE computations SET missing_operands = missing_operands - 1
  WHERE (output_handle, tx_hash) IN (SELECT output_handle, tx_hash FROM computation_operands WHERE handle = $1)`;

export class PostgresCoprocessorStore implements CoprocessorStore {
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    /** The redacted URL, for messages. */
    readonly where: string,
    private readonly options: PostgresStoreOptions = {},
  ) {}

  private async transaction<T>(work: (q: Queryable) => Promise<T>, writeLock = false): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      if (writeLock) await client.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]);
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async getCursor(): Promise<BlockId | null> {
    const { rows } = await this.pool.query<{ block_number: number; block_hash: Buffer }>(
      'SELECT block_number, block_hash FROM listener_cursor WHERE id = 1',
    );
    return rows[0] ? { number: rows[0].block_number, hash: hex(rows[0].block_hash) } : null;
  }

  async getBlock(number: number): Promise<BlockRef | null> {
    const { rows } = await this.pool.query<{ number: number; hash: Buffer; parent_hash: Buffer }>(
      'SELECT number, hash, parent_hash FROM blocks WHERE number = $1',
      [number],
    );
    const row = rows[0];
    return row ? { number: row.number, hash: hex(row.hash), parentHash: hex(row.parent_hash) } : null;
  }

  async ingestBlock(block: IngestedBlock): Promise<void> {
    const now = Date.now();
    await this.transaction(async (q) => {
      const cursor = (
        await q.query<{ block_number: number; block_hash: Buffer }>(
          'SELECT block_number, block_hash FROM listener_cursor WHERE id = 1',
        )
      ).rows[0];
      if (
        cursor &&
        (cursor.block_number !== block.number - 1 || hex(cursor.block_hash) !== block.parentHash)
      ) {
        throw new Error(
          `block ${block.number} (parent ${block.parentHash}) does not extend the cursor ${cursor.block_number} ${hex(cursor.block_hash)}`,
        );
      }
      for (const c of block.computations) await this.insertComputation(q, c, now);
      for (const a of block.allowed) {
        await q.query(
          `INSERT INTO allowed_handles (handle, account, event_type, tx_hash, block_number)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
          [
            blob(a.handle),
            a.account === '' ? '' : lower(a.account),
            a.eventType,
            blob(a.txHash),
            block.number,
          ],
        );
      }
      for (const d of block.delegations) {
        await q.query(
          `INSERT INTO delegations (delegator, delegate, contract_address, delegation_counter, old_expiration,
             new_expiration, tx_hash, block_number, log_index) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT DO NOTHING`,
          [
            lower(d.delegator),
            lower(d.delegate),
            lower(d.contractAddress),
            d.delegationCounter.toString(),
            d.oldExpiration.toString(),
            d.newExpiration.toString(),
            blob(d.txHash),
            block.number,
            d.logIndex,
          ],
        );
      }
      await q.query(
        `INSERT INTO blocks (number, hash, parent_hash, ingested_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (number) DO UPDATE SET hash = $2, parent_hash = $3, ingested_at = $4`,
        [block.number, blob(block.hash), blob(block.parentHash), now],
      );
      await q.query('DELETE FROM blocks WHERE number < $1', [block.number - KEPT_BLOCKS]);
      await q.query(
        `INSERT INTO listener_cursor (id, block_number, block_hash) VALUES (1, $1, $2)
         ON CONFLICT (id) DO UPDATE SET block_number = $1, block_hash = $2`,
        [block.number, blob(block.hash)],
      );
      if (block.computations.length > 0) await notifyWork(q);
    }, true);
  }

  private async insertComputation(q: Queryable, c: NewComputation, now: number): Promise<void> {
    const handles = operandHandles(c).map(blob);
    const missing = (
      await q.query<{ n: number }>(
        `SELECT COUNT(DISTINCT h) AS n FROM unnest($1::bytea[]) AS h
         WHERE NOT EXISTS (SELECT 1 FROM ciphertexts WHERE handle = h)`,
        [handles],
      )
    ).rows[0]!.n;
    const inserted = await q.query<{ emissions: number }>(
      `INSERT INTO computations (output_handle, tx_hash, op, result_type, is_scalar, seed, block_number,
         log_index, created_at, missing_operands) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (output_handle, tx_hash) DO UPDATE SET emissions = computations.emissions + 1
       RETURNING emissions`,
      [
        blob(c.outputHandle),
        blob(c.txHash),
        c.op,
        c.resultType,
        c.isScalar,
        c.seed === null ? null : blob(c.seed),
        c.blockNumber,
        c.logIndex,
        now,
        missing,
      ],
    );
    // The same computation emitted again by this transaction: counted, its row is already there.
    if (inserted.rows[0]!.emissions > 1) return;
    for (const [position, operand] of c.operands.entries()) {
      const [handle, scalar] =
        'handle' in operand ? [blob(operand.handle), null] : [null, blob(operand.scalar)];
      await q.query(
        'INSERT INTO computation_operands (output_handle, tx_hash, position, handle, scalar) VALUES ($1, $2, $3, $4, $5)',
        [blob(c.outputHandle), blob(c.txHash), position, handle, scalar],
      );
    }
    for (const operand of operandHandles(c)) {
      // A handle that can no longer come: no ciphertext, and every computation producing it failed.
      const failed = (
        await q.query<{ error: string }>(
          `SELECT error FROM computations WHERE output_handle = $1 AND status = 'error'
             AND NOT EXISTS (SELECT 1 FROM computations WHERE output_handle = $1 AND status <> 'error')
             AND NOT EXISTS (SELECT 1 FROM ciphertexts WHERE handle = $1) LIMIT 1`,
          [blob(operand)],
        )
      ).rows[0];
      if (failed) {
        const error = `operand ${operand} failed: ${failed.error}`;
        await q.query(
          `UPDATE computations SET status = 'error', error = $1 WHERE output_handle = $2 AND tx_hash = $3`,
          [error, blob(c.outputHandle), blob(c.txHash)],
        );
        await q.query(FAIL_DEPENDENTS, [blob(c.outputHandle), `operand ${c.outputHandle} failed: ${error}`]);
        break;
      }
    }
  }

  async rollbackAfter(blockNumber: number): Promise<RollbackSummary> {
    return this.transaction(async (q) => {
      const target =
        blockNumber >= 0
          ? (await q.query<{ hash: Buffer }>('SELECT hash FROM blocks WHERE number = $1', [blockNumber]))
              .rows[0]
          : undefined;
      if (blockNumber >= 0 && !target) {
        throw new FhekitError(
          'FHE_REORG_TOO_DEEP',
          `Cannot roll back to block ${blockNumber}: it is not recorded.`,
          {
            hint: `Reorgs deeper than ${KEPT_BLOCKS} blocks are not supported; start from a fresh database.`,
          },
        );
      }
      const count = async (sql: string) => (await q.query(sql, [blockNumber])).rowCount ?? 0;
      const blocks = await count('DELETE FROM blocks WHERE number > $1');
      const computations = await count('DELETE FROM computations WHERE block_number > $1');
      // A ciphertext computed for a dropped block survives if a remaining computation produces the same handle.
      const orphans = `block_number > $1
          AND NOT EXISTS (SELECT 1 FROM computations c WHERE c.output_handle = ciphertexts.handle)`;
      if (this.options.keepRolledBackCiphertexts) {
        await q.query(`UPDATE ciphertexts SET block_number = NULL WHERE ${orphans}`, [blockNumber]);
      }
      const ciphertexts = await count(`DELETE FROM ciphertexts WHERE ${orphans}`);
      if (ciphertexts > 0) {
        await q.query(`UPDATE computations AS c SET missing_operands = (
            SELECT COUNT(DISTINCT o.handle) FROM computation_operands o
            WHERE o.output_handle = c.output_handle AND o.tx_hash = c.tx_hash AND o.handle IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM ciphertexts x WHERE x.handle = o.handle))
          WHERE c.status = 'pending'`);
      }
      const allowed = await count('DELETE FROM allowed_handles WHERE block_number > $1');
      const delegations = await count('DELETE FROM delegations WHERE block_number > $1');
      if (target) {
        await q.query('UPDATE listener_cursor SET block_number = $1, block_hash = $2 WHERE id = 1', [
          blockNumber,
          target.hash,
        ]);
      } else {
        await q.query('DELETE FROM listener_cursor');
      }
      return { blocks, computations, allowed, delegations, ciphertexts };
    }, true);
  }

  async readyComputations(limit: number, now: number): Promise<ReadyComputation[]> {
    const { rows } = await this.pool.query<ComputationRow & { output_exists: boolean; attempts: number }>(
      `SELECT c.*, ${OUTPUT_EXISTS} FROM computations c WHERE ${READY}
       ORDER BY c.block_number, c.log_index LIMIT $2`,
      [now, limit],
    );
    return this.toReady(this.pool, rows);
  }

  async claimComputations(claim: WorkClaim): Promise<ReadyComputation[]> {
    return this.transaction(async (q) => {
      const { rows } = await q.query<ComputationRow & { output_exists: boolean }>(
        `WITH picked AS (
           SELECT c.output_handle, c.tx_hash FROM computations c
           WHERE ${READY} AND (c.lease_expires_at <= $1 OR c.claimed_by = $2)
             AND NOT EXISTS (SELECT 1 FROM computations o WHERE o.output_handle = c.output_handle
               AND o.tx_hash <> c.tx_hash AND o.status = 'pending' AND o.lease_expires_at > $1
               AND o.claimed_by <> $2)
           ORDER BY c.block_number, c.log_index LIMIT $3
           FOR UPDATE OF c SKIP LOCKED)
         UPDATE computations c SET claimed_by = $2, lease_expires_at = $4
         FROM picked p WHERE c.output_handle = p.output_handle AND c.tx_hash = p.tx_hash
         RETURNING c.*, ${OUTPUT_EXISTS}`,
        [claim.now, claim.worker, claim.limit, claim.now + claim.leaseMs],
      );
      rows.sort((a, b) => a.block_number - b.block_number || a.log_index - b.log_index);
      return this.toReady(q, rows);
    });
  }

  async renewLeases(worker: string, until: number): Promise<number> {
    const result = await this.pool.query(
      `UPDATE computations SET lease_expires_at = $2 WHERE claimed_by = $1 AND status = 'pending'`,
      [worker, until],
    );
    return result.rowCount ?? 0;
  }

  async releaseLeases(worker: string): Promise<number> {
    const result = await this.pool.query(
      `UPDATE computations SET claimed_by = NULL, lease_expires_at = 0 WHERE claimed_by = $1 AND status = 'pending'`,
      [worker],
    );
    return result.rowCount ?? 0;
  }

  async leases(now: number): Promise<WorkerLease[]> {
    const { rows } = await this.pool.query<{ worker: string; computations: number; expires_at: number }>(
      `SELECT claimed_by AS worker, COUNT(*) AS computations, MAX(lease_expires_at) AS expires_at
       FROM computations WHERE status = 'pending' AND lease_expires_at > $1
       GROUP BY claimed_by ORDER BY claimed_by`,
      [now],
    );
    return rows.map((row) => ({
      worker: row.worker,
      computations: row.computations,
      expiresAt: row.expires_at,
    }));
  }

  async watchWork(wake: () => void): Promise<() => Promise<void>> {
    // A connection of its own: a pooled one could be handed to a query while it waits for notifications.
    const client = new pg.Client({ ...this.pool.options, types: TYPES });
    // A broken notification connection leaves the caller's polling; the error is not fatal.
    client.on('error', () => {});
    client.on('notification', () => wake());
    await client.connect();
    await client.query(`LISTEN ${WORK_CHANNEL}`);
    return async () => {
      await client.end().catch(() => {});
    };
  }

  async completeComputation(
    key: ComputationKey,
    result: ComputedResult | null,
    cost?: ComputationCost,
  ): Promise<boolean> {
    const now = Date.now();
    return this.transaction(async (q) => {
      const done = await q.query(
        `UPDATE computations SET status = 'done', error = NULL, completed_at = $1, lease_expires_at = 0,
           compute_ms = $4, pbs = $5
         WHERE output_handle = $2 AND tx_hash = $3 AND status = 'pending'`,
        [now, blob(key.outputHandle), blob(key.txHash), cost?.computeMs ?? null, cost?.pbs ?? null],
      );
      const updated = done.rowCount === 1;
      if (updated && result) {
        const inserted = await q.query(
          `INSERT INTO ciphertexts (handle, type, bytes, digest, computed_in_cleartext, tx_hash, block_number, created_at)
           SELECT output_handle, $1, $2, $3, $4, tx_hash, block_number, $5 FROM computations
           WHERE output_handle = $6 AND tx_hash = $7 ON CONFLICT DO NOTHING`,
          [
            result.type,
            Buffer.from(result.bytes),
            ciphertextDigest(blob(key.outputHandle), result.type, result.bytes),
            result.computedInCleartext === true,
            now,
            blob(key.outputHandle),
            blob(key.txHash),
          ],
        );
        if (inserted.rowCount === 1) {
          await q.query(OPERAND_ARRIVED, [blob(key.outputHandle)]);
          await notifyWork(q);
        }
      }
      return updated;
    }, true);
  }

  async recordComputationFailure(
    key: ComputationKey,
    error: string,
    policy: { maxAttempts: number; retryAt: number },
  ): Promise<ComputationStatus> {
    return this.transaction(async (q) => {
      const row = (
        await q.query<{ status: ComputationStatus }>(
          `UPDATE computations SET attempts = attempts + 1, error = $3,
             status = CASE WHEN attempts + 1 >= $4 THEN 'error' ELSE 'pending' END, retry_at = $5,
             lease_expires_at = 0
           WHERE output_handle = $1 AND tx_hash = $2 AND status = 'pending' RETURNING status`,
          [blob(key.outputHandle), blob(key.txHash), error, policy.maxAttempts, policy.retryAt],
        )
      ).rows[0];
      if (row?.status === 'error') {
        await q.query(FAIL_DEPENDENTS, [
          blob(key.outputHandle),
          `operand ${key.outputHandle} failed: ${error}`,
        ]);
      }
      return row?.status ?? 'error';
    }, true);
  }

  async computationsFor(outputHandle: Hex): Promise<StoredComputation[]> {
    return this.tracedComputations(
      'SELECT * FROM computations WHERE output_handle = $1 ORDER BY block_number, log_index',
      [blob(outputHandle)],
    );
  }

  async transactionComputations(txHash: Hex): Promise<TracedComputation[]> {
    return this.tracedComputations(
      'SELECT * FROM computations WHERE tx_hash = $1 ORDER BY block_number, log_index',
      [blob(txHash)],
    );
  }

  async recentTransactions(limit: number): Promise<TransactionRef[]> {
    const { rows } = await this.pool.query<{
      tx_hash: Buffer;
      block_number: number;
      n: number;
      ingested_at: number;
    }>(
      `SELECT tx_hash, MAX(block_number) AS block_number, COUNT(*) AS n, MIN(created_at) AS ingested_at
       FROM computations GROUP BY tx_hash ORDER BY MAX(block_number) DESC, MAX(log_index) DESC LIMIT $1`,
      [limit],
    );
    return rows.map((row) => ({
      txHash: hex(row.tx_hash),
      blockNumber: row.block_number,
      computations: row.n,
      ingestedAt: row.ingested_at,
    }));
  }

  async failedComputations(limit: number): Promise<TracedComputation[]> {
    return this.tracedComputations(
      `SELECT * FROM computations WHERE status = 'error' ORDER BY block_number DESC, log_index DESC LIMIT $1`,
      [limit],
    );
  }

  private async tracedComputations(sql: string, params: unknown[]): Promise<TracedComputation[]> {
    const { rows } = await this.pool.query<ComputationRow>(sql, params);
    const operands = await this.operandsOf(this.pool, rows);
    return rows.map((row) => ({
      ...toNewComputation(row, operands),
      status: row.status,
      error: row.error,
      attempts: row.attempts,
      createdAt: row.created_at,
      completedAt: row.completed_at,
      emissions: row.emissions,
      computeMs: row.compute_ms,
      pbs: row.pbs,
    }));
  }

  async getCiphertext(handle: Hex): Promise<StoredCiphertext | null> {
    return (await this.getCiphertexts([handle])).get(handle) ?? null;
  }

  async getCiphertexts(handles: readonly Hex[]): Promise<Map<Hex, StoredCiphertext>> {
    const { rows } = await this.pool.query<CiphertextRow>(
      'SELECT * FROM ciphertexts WHERE handle = ANY($1::bytea[])',
      [handles.map(blob)],
    );
    const byHandle = new Map(rows.map((row) => [hex(row.handle), row]));
    const found = new Map<Hex, StoredCiphertext>();
    for (const handle of handles) {
      const row = byHandle.get(handle.toLowerCase() as Hex);
      if (!row) continue;
      checkCiphertextDigest(row, this.where);
      found.set(handle, toStoredCiphertext(row));
    }
    return found;
  }

  async insertInputCiphertexts(inputs: readonly InputCiphertext[]): Promise<void> {
    const now = Date.now();
    await this.transaction(async (q) => {
      let any = false;
      for (const input of inputs) {
        const inserted = await q.query(
          `INSERT INTO ciphertexts (handle, type, bytes, digest, input_blob_hash, input_index, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
          [
            blob(input.handle),
            input.type,
            Buffer.from(input.bytes),
            ciphertextDigest(blob(input.handle), input.type, input.bytes),
            blob(input.blobHash),
            input.index,
            now,
          ],
        );
        if (inserted.rowCount === 1) {
          await q.query(OPERAND_ARRIVED, [blob(input.handle)]);
          any = true;
        }
      }
      if (any) await notifyWork(q);
    }, true);
  }

  async allowedRows(handle: Hex): Promise<AllowedRow[]> {
    const { rows } = await this.pool.query<{
      handle: Buffer;
      account: string;
      event_type: AllowedEventType;
      tx_hash: Buffer;
      block_number: number;
    }>('SELECT * FROM allowed_handles WHERE handle = $1 ORDER BY block_number, event_type', [blob(handle)]);
    return rows.map((row) => ({
      handle: hex(row.handle),
      account: row.account as Hex | '',
      eventType: row.event_type,
      txHash: hex(row.tx_hash),
      blockNumber: row.block_number,
    }));
  }

  async delegations(delegator: Hex, delegate: Hex): Promise<DelegationRow[]> {
    const { rows } = await this.pool.query<{
      delegator: Hex;
      delegate: Hex;
      contract_address: Hex;
      delegation_counter: string;
      old_expiration: string;
      new_expiration: string;
      tx_hash: Buffer;
      block_number: number;
      log_index: number;
    }>('SELECT * FROM delegations WHERE delegator = $1 AND delegate = $2 ORDER BY block_number, log_index', [
      lower(delegator),
      lower(delegate),
    ]);
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
    await this.pool.query(
      'INSERT INTO parity_mismatches (handle, op, type, expected, actual, at) VALUES ($1, $2, $3, $4, $5, $6)',
      [
        blob(mismatch.handle),
        mismatch.op,
        mismatch.type,
        mismatch.expected.toString(),
        mismatch.actual.toString(),
        Date.now(),
      ],
    );
  }

  async parityMismatches(limit: number): Promise<ParityMismatchRow[]> {
    const { rows } = await this.pool.query<{
      handle: Buffer;
      op: string;
      type: string;
      expected: string;
      actual: string;
      at: number;
    }>('SELECT * FROM parity_mismatches ORDER BY id DESC LIMIT $1', [limit]);
    return rows.map((row) => ({
      handle: hex(row.handle),
      op: row.op,
      type: row.type,
      expected: BigInt(row.expected),
      actual: BigInt(row.actual),
      at: row.at,
    }));
  }

  async bindKeyset(keysetId: string): Promise<void> {
    await this.transaction(async (q) => {
      await q.query(
        'INSERT INTO keyset_binding (id, fingerprint, bound_at) VALUES (1, $1, $2) ON CONFLICT DO NOTHING',
        [keysetId, Date.now()],
      );
      const bound = (await q.query<{ fingerprint: string }>('SELECT fingerprint FROM keyset_binding'))
        .rows[0]!;
      if (bound.fingerprint !== keysetId) throw keysetMismatch(this.where, bound.fingerprint, keysetId);
    });
  }

  async counts(): Promise<StoreCounts> {
    const computations: Record<ComputationStatus, number> = { pending: 0, done: 0, error: 0 };
    const statuses = await this.pool.query<{ status: ComputationStatus; n: number }>(
      'SELECT status, COUNT(*) AS n FROM computations GROUP BY status',
    );
    for (const row of statuses.rows) computations[row.status] = row.n;
    const { rows } = await this.pool.query<Omit<StoreCounts, 'computations'>>(
      `SELECT (SELECT COUNT(*) FROM computations c WHERE ${READY}) AS ready,
         (SELECT COUNT(*) FROM ciphertexts) AS ciphertexts,
         (SELECT COUNT(*) FROM ciphertexts WHERE computed_in_cleartext) AS "cleartextCiphertexts",
         (SELECT COUNT(*) FROM parity_mismatches) AS "parityMismatches",
         (SELECT COUNT(*) FROM allowed_handles) AS allowed`,
      [Date.now()],
    );
    return { computations, ...rows[0]! };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private async operandsOf(
    q: Queryable,
    rows: readonly ComputationRow[],
  ): Promise<Map<string, StoredOperand[]>> {
    const byKey = new Map<string, StoredOperand[]>();
    if (rows.length === 0) return byKey;
    const result = await q.query<{
      output_handle: Buffer;
      tx_hash: Buffer;
      handle: Buffer | null;
      scalar: Buffer | null;
    }>(
      `SELECT o.output_handle, o.tx_hash, o.handle, o.scalar FROM computation_operands o
       JOIN unnest($1::bytea[], $2::bytea[]) AS k(output_handle, tx_hash)
         ON o.output_handle = k.output_handle AND o.tx_hash = k.tx_hash
       ORDER BY o.position`,
      [rows.map((r) => r.output_handle), rows.map((r) => r.tx_hash)],
    );
    for (const o of result.rows) {
      const key = computationKey(o);
      const list = byKey.get(key) ?? [];
      list.push(o.handle ? { handle: hex(o.handle) } : { scalar: hex(o.scalar!) });
      byKey.set(key, list);
    }
    return byKey;
  }

  private async toReady(
    q: Queryable,
    rows: readonly (ComputationRow & { output_exists: boolean })[],
  ): Promise<ReadyComputation[]> {
    const operands = await this.operandsOf(q, rows);
    return rows.map((row) => ({
      ...toNewComputation(row, operands),
      attempts: row.attempts,
      outputExists: row.output_exists,
    }));
  }
}

async function notifyWork(q: Queryable): Promise<void> {
  // Delivered at commit, so a woken worker sees the rows.
  await q.query(`SELECT pg_notify('${WORK_CHANNEL}', '')`);
}

const computationKey = (row: { output_handle: Buffer; tx_hash: Buffer }) =>
  `${row.output_handle.toString('hex')}:${row.tx_hash.toString('hex')}`;

function toNewComputation(row: ComputationRow, operands: Map<string, StoredOperand[]>): NewComputation {
  return {
    outputHandle: hex(row.output_handle),
    txHash: hex(row.tx_hash),
    op: row.op as FheOp,
    resultType: row.result_type as FheType,
    operands: operands.get(computationKey(row)) ?? [],
    isScalar: row.is_scalar,
    seed: row.seed ? hex(row.seed) : null,
    blockNumber: row.block_number,
    logIndex: row.log_index,
  };
}

function toStoredCiphertext(row: CiphertextRow): StoredCiphertext {
  return {
    handle: hex(row.handle),
    type: row.type as FheType,
    bytes: bytesOf(row.bytes),
    computedInCleartext: row.computed_in_cleartext,
    txHash: row.tx_hash ? hex(row.tx_hash) : null,
    blockNumber: row.block_number,
    inputBlobHash: row.input_blob_hash ? hex(row.input_blob_hash) : null,
    inputIndex: row.input_index,
  };
}
