import type { Migration } from './sqlite-migrations.js';

/**
 * Versioned schema of the PostgreSQL store: the SQLite schema at its latest version (same tables, same
 * meaning), in PostgreSQL types, plus the work leases several worker processes need. Append new
 * migrations; never edit an applied one. Handles and hashes are BYTEA, addresses lowercase 0x-hex TEXT,
 * times Unix milliseconds (BIGINT), uint64 and wider values decimal TEXT.
 */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE ciphertexts (
        handle BYTEA PRIMARY KEY,
        type INTEGER NOT NULL,
        bytes BYTEA NOT NULL,
        digest BYTEA NOT NULL,
        computed_in_cleartext BOOLEAN NOT NULL DEFAULT FALSE,
        tx_hash BYTEA,
        block_number BIGINT,
        input_blob_hash BYTEA,
        input_index INTEGER,
        created_at BIGINT NOT NULL
      );
      CREATE INDEX ciphertexts_by_block ON ciphertexts(block_number) WHERE block_number IS NOT NULL;

      -- A pending computation is claimed by one worker at a time: claimed_by holds it until
      -- lease_expires_at, after which any worker may claim it again (the holder died or hangs).
      CREATE TABLE computations (
        output_handle BYTEA NOT NULL,
        tx_hash BYTEA NOT NULL,
        op INTEGER NOT NULL,
        result_type INTEGER NOT NULL,
        is_scalar BOOLEAN NOT NULL,
        seed BYTEA,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'error')),
        error TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        retry_at BIGINT NOT NULL DEFAULT 0,
        missing_operands INTEGER NOT NULL DEFAULT 0,
        claimed_by TEXT,
        lease_expires_at BIGINT NOT NULL DEFAULT 0,
        block_number BIGINT NOT NULL,
        log_index INTEGER NOT NULL,
        created_at BIGINT NOT NULL,
        completed_at BIGINT,
        PRIMARY KEY (output_handle, tx_hash)
      );
      CREATE INDEX computations_ready ON computations(block_number, log_index)
        WHERE status = 'pending' AND missing_operands = 0;
      CREATE INDEX computations_by_block ON computations(block_number);
      CREATE INDEX computations_leased ON computations(claimed_by) WHERE status = 'pending';

      CREATE TABLE computation_operands (
        output_handle BYTEA NOT NULL,
        tx_hash BYTEA NOT NULL,
        position INTEGER NOT NULL,
        handle BYTEA,
        scalar BYTEA,
        CHECK ((handle IS NULL) <> (scalar IS NULL)),
        PRIMARY KEY (output_handle, tx_hash, position),
        FOREIGN KEY (output_handle, tx_hash) REFERENCES computations ON DELETE CASCADE
      );
      CREATE INDEX computation_operands_by_handle ON computation_operands(handle) WHERE handle IS NOT NULL;

      CREATE TABLE allowed_handles (
        handle BYTEA NOT NULL,
        account TEXT NOT NULL,
        event_type INTEGER NOT NULL CHECK (event_type IN (0, 1)),
        tx_hash BYTEA NOT NULL,
        block_number BIGINT NOT NULL,
        PRIMARY KEY (handle, account, event_type)
      );
      CREATE INDEX allowed_handles_by_block ON allowed_handles(block_number);

      CREATE TABLE delegations (
        id BIGSERIAL PRIMARY KEY,
        delegator TEXT NOT NULL,
        delegate TEXT NOT NULL,
        contract_address TEXT NOT NULL,
        delegation_counter TEXT NOT NULL,
        old_expiration TEXT NOT NULL,
        new_expiration TEXT NOT NULL,
        tx_hash BYTEA NOT NULL,
        block_number BIGINT NOT NULL,
        log_index INTEGER NOT NULL,
        UNIQUE (tx_hash, log_index)
      );
      CREATE INDEX delegations_by_pair ON delegations(delegator, delegate);
      CREATE INDEX delegations_by_block ON delegations(block_number);

      CREATE TABLE parity_mismatches (
        id BIGSERIAL PRIMARY KEY,
        handle BYTEA NOT NULL,
        op TEXT NOT NULL,
        type TEXT NOT NULL,
        expected TEXT NOT NULL,
        actual TEXT NOT NULL,
        at BIGINT NOT NULL
      );

      CREATE TABLE blocks (
        number BIGINT PRIMARY KEY,
        hash BYTEA NOT NULL,
        parent_hash BYTEA NOT NULL,
        ingested_at BIGINT NOT NULL
      );

      CREATE TABLE listener_cursor (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        block_number BIGINT NOT NULL,
        block_hash BYTEA NOT NULL
      );

      -- The keyset whose public key encrypted the inputs: a worker with another keyset must not compute.
      CREATE TABLE keyset_binding (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        fingerprint TEXT NOT NULL,
        bound_at BIGINT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'computation cost for traces',
    // As SQLite's version 7: engine time and bootstraps per computation (NULL when not computed here),
    // and how often the transaction emitted the same computation (HCULimit charges every emission).
    sql: `
      ALTER TABLE computations ADD COLUMN emissions INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE computations ADD COLUMN compute_ms DOUBLE PRECISION;
      ALTER TABLE computations ADD COLUMN pbs INTEGER;
      CREATE INDEX computations_by_tx ON computations(tx_hash);
      CREATE INDEX computations_failed ON computations(block_number, log_index) WHERE status = 'error';
    `,
  },
];
