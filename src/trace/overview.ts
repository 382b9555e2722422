import type { Hex } from 'viem';
import type { ComputationStatus, CoprocessorStore } from '../coprocessor/store.js';
import { nameOf } from '../fhevm/fhe-types.js';
import { opName } from '../fhevm/operations.js';
import { type HcuWarning, hcuWarnings, traceOfComputations } from './transaction-trace.js';

/** One row of the dashboards' recent transactions (plain JSON values). */
export interface TransactionSummary {
  txHash: Hex;
  blockNumber: number;
  ops: number;
  hcu: number;
  hcuDepth: number;
  status: ComputationStatus;
  computeMs: number;
  /** When the coprocessor saw it (ISO time). */
  seenAt: string;
  /** Limits it used more than 80% of, with the dominating ops. */
  warnings: HcuWarning[];
}

export interface FailureSummary {
  txHash: Hex;
  handle: Hex;
  op: string;
  resultType: string;
  error: string;
}

export interface TraceOverview {
  recent: TransactionSummary[];
  failures: FailureSummary[];
}

/** The latest transactions with FHE work and the latest failed computations, for the dashboards. */
export async function readTraceOverview(
  store: CoprocessorStore,
  limits: { recent: number; failures: number } = { recent: 5, failures: 5 },
): Promise<TraceOverview> {
  const [recent, failed] = await Promise.all([
    store.recentTransactions(limits.recent),
    store.failedComputations(limits.failures),
  ]);
  const summaries = await Promise.all(
    recent.map(async (tx): Promise<TransactionSummary> => {
      const trace = traceOfComputations(await store.transactionComputations(tx.txHash));
      return {
        txHash: tx.txHash,
        blockNumber: tx.blockNumber,
        ops: trace.nodes.length,
        hcu: trace.totals.hcu,
        hcuDepth: trace.totals.hcuDepth,
        status: trace.status,
        computeMs: trace.totals.computeMs,
        seenAt: new Date(tx.ingestedAt).toISOString(),
        warnings: hcuWarnings(trace),
      };
    }),
  );
  return {
    recent: summaries,
    failures: failed.map((c) => ({
      txHash: c.txHash,
      handle: c.outputHandle,
      op: opName(c.op),
      resultType: nameOf(c.resultType),
      error: c.error ?? '',
    })),
  };
}
