import type { Hex } from 'viem';
import type { ChainRollback } from './listener.js';
import { lagBlocks } from './metrics.js';
import type { CoprocessorStore, WorkerLease } from './store.js';

/** A snapshot for dashboards and `fhe dev status --json` (plain JSON values only). */
export interface CoprocessorStatus {
  /** Last ingested host-chain block. */
  cursor: { block: number; hash: Hex } | null;
  headBlock: number | null;
  lagBlocks: number | null;
  computations: { pending: number; ready: number; inFlight: number; done: number; error: number };
  ciphertexts: number;
  /** Ciphertexts the cleartext compute mode produced (not the engine). */
  cleartextHandles: number;
  /** Engine results that disagreed with the plaintext semantics (parity compute mode). */
  parityMismatches: number;
  /** The newest of them (values as decimal strings), or null. */
  lastParityMismatch: {
    handle: Hex;
    op: string;
    type: string;
    expected: string;
    actual: string;
    at: string;
  } | null;
  allowedHandles: number;
  /** Computations finished per second over the last 10 s. */
  opsPerSecond: number;
  /** PBS per second over the last 10 s (null when the evaluator does not report PBS). */
  pbsPerSecond: number | null;
  /** Computations run at once (0: listener only, or read from outside the running process). */
  concurrency: number;
  /** 0 when read from outside the running process. */
  uptimeSeconds: number;
  /** The last time the chain went back under ingested blocks (their rows were rolled back). */
  lastRollback: ChainRollback | null;
  /** Workers holding claims on computations now (any process sharing the store). */
  workers: WorkerLease[];
}

/** What only the running process knows; a reader from outside (another CLI process) passes what it has. */
export interface LiveStats {
  headBlock: number | null;
  inFlight: number;
  opsPerSecond: number;
  pbsPerSecond: number | null;
  concurrency: number;
  uptimeSeconds: number;
  lastRollback: ChainRollback | null;
}

const OFFLINE: LiveStats = {
  headBlock: null,
  inFlight: 0,
  opsPerSecond: 0,
  pbsPerSecond: null,
  concurrency: 0,
  uptimeSeconds: 0,
  lastRollback: null,
};

/** The status from the store's durable state plus `live` figures. */
export async function readStatus(
  store: CoprocessorStore,
  live: Partial<LiveStats> = {},
): Promise<CoprocessorStatus> {
  const stats = { ...OFFLINE, ...live };
  const [counts, cursor, [last], workers] = await Promise.all([
    store.counts(),
    store.getCursor(),
    store.parityMismatches(1),
    store.leases(Date.now()),
  ]);
  return {
    cursor: cursor && { block: cursor.number, hash: cursor.hash },
    headBlock: stats.headBlock,
    lagBlocks: lagBlocks(stats.headBlock, cursor?.number ?? null),
    computations: { ...counts.computations, ready: counts.ready, inFlight: stats.inFlight },
    ciphertexts: counts.ciphertexts,
    cleartextHandles: counts.cleartextCiphertexts,
    parityMismatches: counts.parityMismatches,
    lastParityMismatch: last
      ? {
          handle: last.handle,
          op: last.op,
          type: last.type,
          expected: last.expected.toString(),
          actual: last.actual.toString(),
          at: new Date(last.at).toISOString(),
        }
      : null,
    allowedHandles: counts.allowed,
    opsPerSecond: stats.opsPerSecond,
    pbsPerSecond: stats.pbsPerSecond,
    concurrency: stats.concurrency,
    uptimeSeconds: stats.uptimeSeconds,
    lastRollback: stats.lastRollback,
    workers,
  };
}
