import type { Hex } from 'viem';
import type { FheType } from '../fhevm/fhe-types.js';
import type { FheOp } from '../fhevm/operations.js';

/**
 * The coprocessor's durable state: the embedded SQLite backend (one process) or PostgreSQL (a listener,
 * an API and any number of workers, on as many machines). Every method is one unit of work: a backend
 * runs it in one transaction.
 * Handles, hashes and addresses are lowercase 0x-hex; ciphertexts are node-tfhe `safe_serialize` bytes.
 */
export interface CoprocessorStore {
  // ── listener ──
  /** The last block fully ingested, or null before the first one. */
  getCursor(): Promise<BlockId | null>;
  /** A block recorded by an earlier `ingestBlock` (recent ones are kept for reorg detection). */
  getBlock(number: number): Promise<BlockRef | null>;
  /**
   * Records every row of one block and moves the cursor to it, atomically. A computation the same
   * transaction emits again (same output handle) is stored once, with its emissions counted. The block's parent must be
   * the cursor (or the cursor must be empty); otherwise nothing is written and it throws.
   */
  ingestBlock(block: IngestedBlock): Promise<void>;
  /**
   * Drops every row that blocks after `blockNumber` produced (computations, ACL rows, delegations, the
   * ciphertexts computed only for them) and moves the cursor back to `blockNumber` (-1: to empty).
   */
  rollbackAfter(blockNumber: number): Promise<RollbackSummary>;

  // ── scheduler ──
  /** Pending computations whose encrypted operands all have ciphertexts, oldest event first. */
  readyComputations(limit: number, now: number): Promise<ReadyComputation[]>;
  /**
   * Claims up to `limit` ready computations for `worker` until `now + leaseMs`, oldest event first.
   * Skipped: computations leased to another worker (until their lease expires: a killed worker's claims
   * return to the queue), and those whose output handle another worker holds (it computes it once). A
   * worker's own claims are returned again, so a worker restarted under the same id resumes at once.
   */
  claimComputations(claim: WorkClaim): Promise<ReadyComputation[]>;
  /** Extends every pending claim of `worker` to `until`; how many it holds. */
  renewLeases(worker: string, until: number): Promise<number>;
  /** Returns the pending claims of `worker` to the queue (a clean stop). */
  releaseLeases(worker: string): Promise<number>;
  /** Workers holding unexpired claims at `now`. */
  leases(now: number): Promise<WorkerLease[]>;
  /**
   * Calls `wake` whenever another process may have made work ready (new computations or ciphertexts);
   * resolves to the unsubscribe, or to null when the backend cannot notify (the caller polls).
   */
  watchWork(wake: () => void): Promise<(() => Promise<void>) | null>;
  /**
   * Stores the result and marks the computation done in one transaction; false if it no longer exists.
   * `cost` (what computing it took) is kept with the computation for traces.
   */
  completeComputation(
    key: ComputationKey,
    result: ComputedResult | null,
    cost?: ComputationCost,
  ): Promise<boolean>;
  /**
   * Counts a failed attempt; it becomes `error` at `maxAttempts`, otherwise it is retried from `retryAt`.
   * Pending computations that (transitively) consume the failed output become `error` with it, so that
   * nothing waits forever for a ciphertext that cannot come.
   */
  recordComputationFailure(
    key: ComputationKey,
    error: string,
    policy: { maxAttempts: number; retryAt: number },
  ): Promise<ComputationStatus>;
  /** Every computation that produces `outputHandle` (one per transaction that emitted it). */
  computationsFor(outputHandle: Hex): Promise<StoredComputation[]>;

  // ── ciphertexts (scheduler, inputs, KMS) ──
  /**
   * A backend stores `ciphertextDigest` with every ciphertext and checks it on every read: bytes that
   * no longer match throw FHE_STORE_CORRUPT, so a damaged value is never decrypted (nor signed).
   */
  getCiphertext(handle: Hex): Promise<StoredCiphertext | null>;
  getCiphertexts(handles: readonly Hex[]): Promise<Map<Hex, StoredCiphertext>>;
  /** Verified input ciphertexts (from an input proof); existing handles are left untouched. */
  insertInputCiphertexts(inputs: readonly InputCiphertext[]): Promise<void>;

  // ── ACL events (the on-chain ACL decides; these explain its refusals) ──
  /** The handle's Allowed / AllowedForDecryption events (the KMS explains refusals with them). */
  allowedRows(handle: Hex): Promise<AllowedRow[]>;
  /** Delegation events between a delegator and a delegate, in chain order (revocations have newExpiration 0). */
  delegations(delegator: Hex, delegate: Hex): Promise<DelegationRow[]>;

  // ── parity compute mode ──
  /** Keeps an engine result that disagreed with the plaintext semantics (kept across rollbacks). */
  recordParityMismatch(mismatch: NewParityMismatch): Promise<void>;
  /** The latest mismatches, newest first. */
  parityMismatches(limit: number): Promise<ParityMismatchRow[]>;

  // ── traces (read-only) ──
  /** Every computation a transaction emitted, in log order, with its cost. */
  transactionComputations(txHash: Hex): Promise<TracedComputation[]>;
  /** Transactions that emitted computations, newest (block, then last log) first. */
  recentTransactions(limit: number): Promise<TransactionRef[]>;
  /** Computations in status `error`, newest first. */
  failedComputations(limit: number): Promise<TracedComputation[]>;
  // ── keys ──
  /**
   * Binds the store to the keyset the inputs are encrypted under (its `keysetId`) on the first call;
   * FHE_STORE_KEYSET_MISMATCH, writing nothing, when it is bound to another one.
   */
  bindKeyset(keysetId: string): Promise<void>;

  // ── status ──
  counts(): Promise<StoreCounts>;
  close(): Promise<void>;
}

export interface BlockId {
  number: number;
  hash: Hex;
}

export interface BlockRef extends BlockId {
  parentHash: Hex;
}

export interface ComputationKey {
  outputHandle: Hex;
  txHash: Hex;
}

/** An encrypted operand (a ciphertext handle) or a 32-byte big-endian scalar, as the event carried it. */
export type StoredOperand = { handle: Hex } | { scalar: Hex };

export type ComputationStatus = 'pending' | 'done' | 'error';

export interface NewComputation extends ComputationKey {
  op: FheOp;
  /** Byte 30 of the result handle. */
  resultType: FheType;
  operands: StoredOperand[];
  /** The event's scalarByte flag (Cast / TrivialEncrypt / Rand count as scalar, like Zama's listener). */
  isScalar: boolean;
  /** 16-byte seed of FheRand / FheRandBounded. */
  seed: Hex | null;
  blockNumber: number;
  logIndex: number;
}

export interface StoredComputation extends NewComputation {
  status: ComputationStatus;
  error: string | null;
  attempts: number;
  createdAt: number;
  completedAt: number | null;
}

/** What computing one result took on the evaluator. */
export interface ComputationCost {
  computeMs: number;
  /** Bootstraps of this computation; null when other computations ran at the same time (shared counter). */
  pbs: number | null;
}

export interface TracedComputation extends StoredComputation {
  /**
   * How often the transaction emitted this computation (same handle: same op and operands, e.g. two
   * `asEuint64(0)`); stored once, computed once, but HCULimit charges every emission.
   */
  emissions: number;
  /** Null when not computed here: pending, failed, or the result existed already (reused). */
  computeMs: number | null;
  pbs: number | null;
}

export interface TransactionRef {
  txHash: Hex;
  blockNumber: number;
  computations: number;
  /** Unix milliseconds the first of them was ingested. */
  ingestedAt: number;
}

export interface WorkClaim {
  /** Stable id of the claiming worker (e.g. host and pid, or a configured name). */
  worker: string;
  limit: number;
  leaseMs: number;
  now: number;
}

export interface WorkerLease {
  worker: string;
  /** Pending computations it holds. */
  computations: number;
  /** Unix milliseconds of its latest lease expiry. */
  expiresAt: number;
}

export interface ReadyComputation extends NewComputation {
  attempts: number;
  /** The output ciphertext exists already (same handle computed for another transaction). */
  outputExists: boolean;
}

export interface ComputedResult {
  type: FheType;
  bytes: Uint8Array;
  /** Made by the cleartext compute mode (plaintext semantics, fresh encryption), not by the engine. */
  computedInCleartext?: boolean;
}

export interface StoredCiphertext {
  handle: Hex;
  type: FheType;
  bytes: Uint8Array;
  /** Computed by the cleartext compute mode (false for inputs and engine results). */
  computedInCleartext: boolean;
  /** Producing transaction and block (null for inputs). */
  txHash: Hex | null;
  blockNumber: number | null;
  inputBlobHash: Hex | null;
  inputIndex: number | null;
}

export interface InputCiphertext {
  handle: Hex;
  type: FheType;
  bytes: Uint8Array;
  blobHash: Hex;
  index: number;
}

export const AllowedEventType = { Allowed: 0, AllowedForDecryption: 1 } as const;
export type AllowedEventType = (typeof AllowedEventType)[keyof typeof AllowedEventType];

export interface AllowedRow {
  handle: Hex;
  /** Empty string for AllowedForDecryption, like Zama's schema. */
  account: Hex | '';
  eventType: AllowedEventType;
  txHash: Hex;
  blockNumber: number;
}

export interface DelegationRow {
  delegator: Hex;
  delegate: Hex;
  contractAddress: Hex;
  delegationCounter: bigint;
  oldExpiration: bigint;
  /** 0 for a revocation. */
  newExpiration: bigint;
  txHash: Hex;
  blockNumber: number;
  logIndex: number;
}

/** Everything one block contributes, produced by the listener's decoder. */
export interface IngestedBlock extends BlockRef {
  computations: NewComputation[];
  allowed: Omit<AllowedRow, 'blockNumber'>[];
  delegations: Omit<DelegationRow, 'blockNumber'>[];
}

export interface RollbackSummary {
  blocks: number;
  computations: number;
  allowed: number;
  delegations: number;
  ciphertexts: number;
}

export interface NewParityMismatch {
  handle: Hex;
  /** Op and type names (`Mul`, `euint8`). */
  op: string;
  type: string;
  expected: bigint;
  actual: bigint;
}

export interface ParityMismatchRow extends NewParityMismatch {
  /** Unix milliseconds. */
  at: number;
}

export interface StoreCounts {
  computations: Record<ComputationStatus, number>;
  /** Pending computations whose operands are all present (what the scheduler can start now). */
  ready: number;
  ciphertexts: number;
  /** Ciphertexts the cleartext compute mode produced. */
  cleartextCiphertexts: number;
  parityMismatches: number;
  allowed: number;
}
