/**
 * Versioned schema of the SQLite store, modelled on Zama's (docs/fhevm-protocol.md §Coprocessor store) and
 * simplified for one node: no tenants, no gateway/SnS bookkeeping. Append new migrations; never edit
 * an applied one. Handles and hashes are 32-byte BLOBs, addresses lowercase 0x-hex TEXT, times are
 * Unix milliseconds.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE ciphertexts (
        handle BLOB PRIMARY KEY,
        type INTEGER NOT NULL,
        bytes BLOB NOT NULL,
        tx_hash BLOB,
        block_number INTEGER,
        input_blob_hash BLOB,
        input_index INTEGER,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX ciphertexts_by_block ON ciphertexts(block_number) WHERE block_number IS NOT NULL;

      CREATE TABLE computations (
        output_handle BLOB NOT NULL,
        tx_hash BLOB NOT NULL,
        op INTEGER NOT NULL,
        result_type INTEGER NOT NULL,
        is_scalar INTEGER NOT NULL,
        seed BLOB,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'error')),
        error TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        retry_at INTEGER NOT NULL DEFAULT 0,
        block_number INTEGER NOT NULL,
        log_index INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        completed_at INTEGER,
        PRIMARY KEY (output_handle, tx_hash)
      );
      CREATE INDEX computations_pending ON computations(block_number, log_index) WHERE status = 'pending';
      CREATE INDEX computations_by_block ON computations(block_number);

      -- Operands in order: a ciphertext handle or a 32-byte big-endian scalar (Zama's dependencies[]).
      CREATE TABLE computation_operands (
        output_handle BLOB NOT NULL,
        tx_hash BLOB NOT NULL,
        position INTEGER NOT NULL,
        handle BLOB,
        scalar BLOB,
        CHECK ((handle IS NULL) <> (scalar IS NULL)),
        PRIMARY KEY (output_handle, tx_hash, position),
        FOREIGN KEY (output_handle, tx_hash) REFERENCES computations ON DELETE CASCADE
      );
      CREATE INDEX computation_operands_by_handle ON computation_operands(handle) WHERE handle IS NOT NULL;

      -- event_type 0 = Allowed(handle, account), 1 = AllowedForDecryption (account '').
      CREATE TABLE allowed_handles (
        handle BLOB NOT NULL,
        account TEXT NOT NULL,
        event_type INTEGER NOT NULL CHECK (event_type IN (0, 1)),
        tx_hash BLOB NOT NULL,
        block_number INTEGER NOT NULL,
        PRIMARY KEY (handle, account, event_type)
      );
      CREATE INDEX allowed_handles_by_block ON allowed_handles(block_number);

      -- DelegatedForUserDecryption / RevokedDelegationForUserDecryption (new_expiration '0').
      -- uint64 values are decimal TEXT: SQLite integers are signed 64-bit.
      CREATE TABLE delegations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        delegator TEXT NOT NULL,
        delegate TEXT NOT NULL,
        contract_address TEXT NOT NULL,
        delegation_counter TEXT NOT NULL,
        old_expiration TEXT NOT NULL,
        new_expiration TEXT NOT NULL,
        tx_hash BLOB NOT NULL,
        block_number INTEGER NOT NULL,
        log_index INTEGER NOT NULL,
        UNIQUE (tx_hash, log_index)
      );
      CREATE INDEX delegations_by_pair ON delegations(delegator, delegate);
      CREATE INDEX delegations_by_block ON delegations(block_number);

      CREATE TABLE input_proofs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        chain_id INTEGER NOT NULL,
        contract_address TEXT NOT NULL,
        user_address TEXT NOT NULL,
        input BLOB NOT NULL,
        extra_data BLOB NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'verified', 'rejected')),
        handles BLOB,
        error TEXT,
        created_at INTEGER NOT NULL,
        verified_at INTEGER
      );

      -- Recent ingested blocks, for reorg detection (parent-hash walk back).
      CREATE TABLE blocks (
        number INTEGER PRIMARY KEY,
        hash BLOB NOT NULL,
        parent_hash BLOB NOT NULL,
        ingested_at INTEGER NOT NULL
      );

      CREATE TABLE listener_cursor (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        block_number INTEGER NOT NULL,
        block_hash BLOB NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'count missing operands per computation',
    // Readiness was a scan of every pending computation's operands on each poll; with a counter kept
    // up to date on every ciphertext insert, ready work is an index range.
    sql: `
      ALTER TABLE computations ADD COLUMN missing_operands INTEGER NOT NULL DEFAULT 0;
      UPDATE computations SET missing_operands = (
        SELECT COUNT(DISTINCT o.handle) FROM computation_operands o
        WHERE o.output_handle = computations.output_handle AND o.tx_hash = computations.tx_hash
          AND o.handle IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ciphertexts x WHERE x.handle = o.handle));
      CREATE INDEX computations_ready ON computations(block_number, log_index)
        WHERE status = 'pending' AND missing_operands = 0;
    `,
  },
  {
    version: 3,
    name: 'ciphertext integrity digests',
    // sha256(handle ‖ type ‖ bytes) (`ciphertextDigest`), checked on every read, so a damaged or
    // hand-edited ciphertext is an error instead of a wrong value the KMS would sign. Existing rows get
    // theirs here, once, through the `ciphertext_digest` SQL function openSqliteStore registers; a row
    // left with the empty default fails its check.
    sql: `
      ALTER TABLE ciphertexts ADD COLUMN digest BLOB NOT NULL DEFAULT x'';
      UPDATE ciphertexts SET digest = ciphertext_digest(handle, type, bytes);
    `,
  },
  {
    version: 4,
    name: 'compute modes: cleartext results and parity mismatches',
    // A result the cleartext compute mode produced (plaintext semantics, fresh encryption) is marked, so
    // a status can say how much of the state never went through the engine. Parity mismatches (engine
    // result vs plaintext semantics) are kept, with values as decimal TEXT (up to 256 bits).
    sql: `
      ALTER TABLE ciphertexts ADD COLUMN computed_in_cleartext INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX ciphertexts_cleartext ON ciphertexts(handle) WHERE computed_in_cleartext = 1;
      CREATE TABLE parity_mismatches (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        handle BLOB NOT NULL,
        op TEXT NOT NULL,
        type TEXT NOT NULL,
        expected TEXT NOT NULL,
        actual TEXT NOT NULL,
        at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 5,
    name: 'drop input_proofs',
    // Input proofs are verified in memory and only their ciphertexts stored; the table had no writer.
    sql: 'DROP TABLE input_proofs;',
  },
  {
    version: 6,
    name: 'work leases and the keyset binding',
    // The same claim protocol as the PostgreSQL store (one worker per computation until its lease
    // expires), and the keyset the inputs are encrypted under, so both backends behave alike.
    sql: `
      ALTER TABLE computations ADD COLUMN claimed_by TEXT;
      ALTER TABLE computations ADD COLUMN lease_expires_at INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX computations_leased ON computations(claimed_by) WHERE status = 'pending';
      CREATE TABLE keyset_binding (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        fingerprint TEXT NOT NULL,
        bound_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 7,
    name: 'computation cost for traces',
    // Engine time and bootstraps per computation, for `fhe trace`; NULL when it was not computed here
    // (reused result, or rows from before this version), or (pbs) when it shared the PBS counter.
    // `emissions`: how often the transaction emitted the same computation (a handle commits to its op and
    // operands, so e.g. two `asEuint64(0)` are one row); HCULimit charges each emission.
    sql: `
      ALTER TABLE computations ADD COLUMN emissions INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE computations ADD COLUMN compute_ms REAL;
      ALTER TABLE computations ADD COLUMN pbs INTEGER;
      CREATE INDEX computations_by_tx ON computations(tx_hash);
      CREATE INDEX computations_failed ON computations(block_number, log_index) WHERE status = 'error';
    `,
  },
];
