import { type Hex, hexToBigInt } from 'viem';
import {
  hcuWarnings,
  type TraceNode,
  type TraceOperand,
  type TransactionTrace,
} from '../trace/transaction-trace.js';

export const VALUES_NOTICE =
  'Values decrypted with this stack’s client key: a dev-only power (on a real network no one holds it).';

const count = (n: number) => n.toLocaleString('en-US');
const percent = (used: number, max: number) => `${((100 * used) / max).toFixed(1)}%`;
/** `0x1234…abcd`: enough to tell handles apart in one transaction. */
export const shortHex = (hex: string) => `${hex.slice(0, 6)}…${hex.slice(-4)}`;

export function formatMs(ms: number | null): string {
  if (ms === null) return '–';
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
}

/** `HCU 412,000 / 20,000,000 (2.1%) · depth …`: the totals against the per-transaction limits. */
export function hcuTotalsText(trace: TransactionTrace): string {
  const { hcu, hcuDepth } = trace.totals;
  const { perTransaction, depthPerTransaction } = trace.limits;
  return `HCU ${count(hcu)} / ${count(perTransaction)} (${percent(hcu, perTransaction)}) · depth ${count(hcuDepth)} / ${count(depthPerTransaction)} (${percent(hcuDepth, depthPerTransaction)})`;
}

/** `123 PBS (2 not measured)`. */
export function pbsText(trace: TransactionTrace): string {
  const { pbs, pbsUnmeasured } = trace.totals;
  return `${count(pbs)} PBS${pbsUnmeasured > 0 ? ` (${pbsUnmeasured} op${pbsUnmeasured === 1 ? '' : 's'} not measured)` : ''}`;
}

/** One line per limit a transaction used more than 80% of, naming the ops that dominated. */
export function hcuWarningLines(trace: TransactionTrace): string[] {
  return hcuWarnings(trace).map(
    (w) =>
      `WARNING: ${w.limit === 'hcu' ? 'HCU' : 'HCU depth'} ${count(w.used)} is ${percent(w.used, w.max)} of the per-transaction limit ${count(w.max)}; dominated by ${w.dominantOps.join(', ')}`,
  );
}

function operandText(operand: TraceOperand, values: Record<Hex, string> | undefined): string {
  if (operand.kind === 'scalar') return `scalar ${hexToBigInt(operand.value)}`;
  const where = operand.producer === null ? shortHex(operand.handle) : `#${operand.producer}`;
  const value = values?.[operand.handle];
  return `${where} ${operand.type}${value === undefined ? '' : ` = ${value}`}`;
}

function nodeLines(node: TraceNode, values: Record<Hex, string> | undefined): string[] {
  const value = values?.[node.result];
  const cost = [
    `HCU ${count(node.hcu)}`,
    `depth ${count(node.hcuDepth)}`,
    `${node.pbs === null ? '–' : count(node.pbs)} PBS`,
    // Done without a time of its own: the handle's ciphertext existed already (an earlier transaction made it).
    node.status === 'done' && node.computeMs === null ? 'result reused' : formatMs(node.computeMs),
  ].join(' · ');
  const lines = [
    `#${node.index} ${node.op}${node.scalar ? ' (scalar)' : ''}${node.emissions > 1 ? ` ×${node.emissions}` : ''} → ${node.resultType} ${shortHex(node.result)}${value === undefined ? '' : ` = ${value}`}  [${node.status}]  ${cost}`,
  ];
  if (node.operands.length > 0) {
    lines.push(`   ← ${node.operands.map((o) => operandText(o, values)).join(', ')}`);
  }
  if (node.error) lines.push(`   error: ${node.error}`);
  return lines;
}

/**
 * `fhe trace` as text: a header with the totals, then the DAG in log order, each op naming its operands
 * (`#n` is an op of the same transaction, a short handle one made earlier or an input).
 */
export function traceText(trace: TransactionTrace, values?: Record<Hex, string>): string[] {
  const t = trace.totals;
  return [
    `tx ${trace.txHash} (block ${trace.blockNumber}) · ${trace.nodes.length} FHE op${trace.nodes.length === 1 ? '' : 's'} · ${trace.status}${t.byStatus.error > 0 ? ` (${t.byStatus.error} failed)` : ''}${t.byStatus.pending > 0 ? ` (${t.byStatus.pending} pending)` : ''}`,
    `${hcuTotalsText(trace)} · ${pbsText(trace)} · ${formatMs(t.computeMs)} engine time`,
    ...hcuWarningLines(trace),
    ...trace.nodes.flatMap((node) => nodeLines(node, values)),
  ];
}
