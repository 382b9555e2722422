import type { Hex } from 'viem';
import type { ComputationStatus, CoprocessorStore, TracedComputation } from '../coprocessor/store.js';
import { FhekitError } from '../errors.js';
import { nameOf } from '../fhevm/fhe-types.js';
import { typeOfHandle } from '../fhevm/handles.js';
import { type HcuLimits, hcuLimits, opHcu } from '../fhevm/hcu.js';
import { opName } from '../fhevm/operations.js';

/** An operand: a handle (made by node `producer` of the same transaction, or earlier: null), or a scalar. */
export type TraceOperand =
  | { kind: 'handle'; handle: Hex; type: string; producer: number | null }
  | { kind: 'scalar'; value: Hex };

/** One FHE operation of a transaction: a node of its DAG (edges are its handle operands). */
export interface TraceNode {
  /** Position in the transaction's log order (what `producer` refers to). */
  index: number;
  op: string;
  resultType: string;
  result: Hex;
  /** The event's scalar flag (a binary op with a plaintext rhs, or Cast / TrivialEncrypt / Rand). */
  scalar: boolean;
  operands: TraceOperand[];
  status: ComputationStatus;
  error: string | null;
  /** Null: not measured (not computed yet, reused, or bootstraps shared with concurrent computations). */
  pbs: number | null;
  computeMs: number | null;
  /** Times the transaction emitted this same op (same handle); computed once, charged each time. */
  emissions: number;
  /** What HCULimit charged for this op (every emission), and the longest chain of this transaction's ops ending here. */
  hcu: number;
  hcuDepth: number;
}

export interface TransactionTrace {
  txHash: Hex;
  blockNumber: number;
  /** `error` if any op failed, else `pending` if any is not computed yet, else `done`. */
  status: ComputationStatus;
  nodes: TraceNode[];
  totals: {
    hcu: number;
    hcuDepth: number;
    /** Sum over the nodes whose bootstraps were measured (`pbsUnmeasured` others). */
    pbs: number;
    pbsUnmeasured: number;
    computeMs: number;
    byStatus: Record<ComputationStatus, number>;
  };
  limits: HcuLimits;
}

const TX_HASH = /^0x[0-9a-f]{64}$/;

/** A transaction's FHE trace from the store: its computations as a DAG, with their cost and HCU. */
export async function buildTransactionTrace(
  store: CoprocessorStore,
  txHash: string,
): Promise<TransactionTrace> {
  const hash = txHash.toLowerCase();
  if (!TX_HASH.test(hash)) {
    throw new FhekitError('FHE_TRACE_TX_INVALID', `${txHash} is not a transaction hash.`, {
      hint: 'Pass the 0x-prefixed 32-byte hash of a transaction, or use --last N.',
    });
  }
  const computations = await store.transactionComputations(hash as Hex);
  if (computations.length === 0) {
    throw new FhekitError(
      'FHE_TRACE_NOT_FOUND',
      `Transaction ${hash} triggered no FHE operation on this stack.`,
      {
        hint: 'Check the hash and the stack (--state-dir); `fhe trace --last 5` lists the latest ones.',
      },
    );
  }
  return traceOfComputations(computations);
}

/** The traces of the `limit` latest transactions that triggered FHE operations, newest first. */
export async function recentTransactionTraces(
  store: CoprocessorStore,
  limit: number,
): Promise<TransactionTrace[]> {
  const recent = await store.recentTransactions(limit);
  return Promise.all(
    recent.map(async (tx) => traceOfComputations(await store.transactionComputations(tx.txHash))),
  );
}

/** The trace of one transaction's computations (`transactionComputations`, not empty). */
export function traceOfComputations(computations: readonly TracedComputation[]): TransactionTrace {
  const first = computations[0]!;
  const producerOf = new Map<Hex, number>();
  const nodes: TraceNode[] = [];
  for (const [index, c] of computations.entries()) {
    const operands = c.operands.map((operand): TraceOperand => {
      if ('scalar' in operand) return { kind: 'scalar', value: operand.scalar };
      return {
        kind: 'handle',
        handle: operand.handle,
        type: nameOf(typeOfHandle(operand.handle)),
        producer: producerOf.get(operand.handle) ?? null,
      };
    });
    const lhs = c.operands[0];
    const price = opHcu(
      c.op,
      c.isScalar,
      lhs && 'handle' in lhs ? typeOfHandle(lhs.handle) : null,
      c.resultType,
    );
    // HCULimit keeps a depth per handle for the transaction only: operands made earlier count 0.
    const operandDepth = Math.max(
      0,
      ...operands.map((o) => (o.kind === 'handle' && o.producer !== null ? nodes[o.producer]!.hcuDepth : 0)),
    );
    nodes.push({
      index,
      emissions: c.emissions,
      op: opName(c.op),
      resultType: nameOf(c.resultType),
      result: c.outputHandle,
      scalar: c.isScalar,
      operands,
      status: c.status,
      error: c.error,
      pbs: c.pbs,
      computeMs: c.computeMs,
      hcu: price * c.emissions,
      // A repeated emission has the same operands, so the same depth.
      hcuDepth: price + operandDepth,
    });
    producerOf.set(c.outputHandle, index);
  }
  const byStatus: Record<ComputationStatus, number> = { pending: 0, done: 0, error: 0 };
  for (const node of nodes) byStatus[node.status]++;
  return {
    txHash: first.txHash,
    blockNumber: first.blockNumber,
    status: byStatus.error > 0 ? 'error' : byStatus.pending > 0 ? 'pending' : 'done',
    nodes,
    totals: {
      hcu: sum(nodes.map((n) => n.hcu)),
      hcuDepth: Math.max(0, ...nodes.map((n) => n.hcuDepth)),
      pbs: sum(nodes.map((n) => n.pbs ?? 0)),
      pbsUnmeasured: nodes.filter((n) => n.pbs === null).length,
      computeMs: sum(nodes.map((n) => n.computeMs ?? 0)),
      byStatus,
    },
    limits: hcuLimits(),
  };
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** A transaction that used more than `threshold` of an HCU limit, with the ops that dominated it. */
export interface HcuWarning {
  limit: 'hcu' | 'depth';
  used: number;
  max: number;
  /** `Mul euint64 ×3 (60%)`: the largest contributors, most first. */
  dominantOps: string[];
}

export const HCU_WARNING_THRESHOLD = 0.8;

/**
 * Warnings for each limit the transaction used more than 80% of. For the total, the ops are grouped by
 * kind and ranked by their HCU; for the depth, the ranked ops are those on the longest chain.
 */
export function hcuWarnings(trace: TransactionTrace, threshold = HCU_WARNING_THRESHOLD): HcuWarning[] {
  const warnings: HcuWarning[] = [];
  const { hcu, hcuDepth } = trace.totals;
  if (hcu > threshold * trace.limits.perTransaction) {
    warnings.push({
      limit: 'hcu',
      used: hcu,
      max: trace.limits.perTransaction,
      dominantOps: dominant(trace.nodes, hcu),
    });
  }
  if (hcuDepth > threshold * trace.limits.depthPerTransaction) {
    warnings.push({
      limit: 'depth',
      used: hcuDepth,
      max: trace.limits.depthPerTransaction,
      dominantOps: dominant(criticalPath(trace.nodes), hcuDepth),
    });
  }
  return warnings;
}

function dominant(nodes: readonly TraceNode[], total: number): string[] {
  const groups = new Map<string, { count: number; hcu: number }>();
  for (const node of nodes) {
    const key = `${node.op} ${node.resultType}`;
    const group = groups.get(key) ?? { count: 0, hcu: 0 };
    group.count++;
    group.hcu += node.hcu;
    groups.set(key, group);
  }
  return [...groups.entries()]
    .sort((a, b) => b[1].hcu - a[1].hcu)
    .slice(0, 3)
    .map(([key, g]) => `${key}${g.count > 1 ? ` ×${g.count}` : ''} (${Math.round((100 * g.hcu) / total)}%)`);
}

/** The chain of ops that gives the transaction its HCU depth, from its deepest node back to its start. */
export function criticalPath(nodes: readonly TraceNode[]): TraceNode[] {
  let node = nodes.reduce<TraceNode | undefined>(
    (deepest, n) => (!deepest || n.hcuDepth > deepest.hcuDepth ? n : deepest),
    undefined,
  );
  const path: TraceNode[] = [];
  while (node) {
    path.push(node);
    const parents = node.operands.flatMap((o) =>
      o.kind === 'handle' && o.producer !== null ? [nodes[o.producer]!] : [],
    );
    const operandDepth = node.hcuDepth - node.hcu / node.emissions;
    node = parents.find((p) => p.hcuDepth === operandDepth);
  }
  return path;
}
