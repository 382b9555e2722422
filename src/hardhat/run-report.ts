import type { ComputeMode } from '../coprocessor/compute-mode.js';
import type { CoprocessorMetrics } from '../coprocessor/metrics.js';
import type { CoprocessorStore, ParityMismatchRow } from '../coprocessor/store.js';
import { recentTransactionTraces, type TransactionTrace } from '../trace/transaction-trace.js';
import { formatMs, traceText } from '../ui/trace-text.js';

/** What the FHE backend did during a test run, printed once at the end. */
export interface FheRunReport {
  /** Operations the engine computed. */
  computed: number;
  /** Results taken from the store instead of recomputed (same handle produced again, e.g. after a revert). */
  reused: number;
  failed: number;
  pbs: number;
  /** Engine time summed over computations (they overlap on a multi-core pool, so it can exceed wall time). */
  fheSeconds: number;
  /** HCU of the transactions seen, when known. */
  hcu?: { transactions: number; maxPerTransaction: number; total: number };
  /** The run's most expensive transactions, from the in-process store. */
  expensive?: ExpensiveTransactions;
  /** How results were computed (default `real`). */
  compute?: ComputeMode;
  /** `parity` mode: engine results that disagree with the plaintext semantics (the run fails on any). */
  parity?: { mismatches: number; latest: ParityMismatchRow[] };
}

export interface ExpensiveTransactions {
  /** Five each, most expensive first. */
  byHcu: TransactionTrace[];
  byComputeTime: TransactionTrace[];
}

const TOP = 5;

const COMPUTE_TITLES: Record<ComputeMode, string> = {
  real: 'real TFHE',
  cleartext: 'cleartext compute (plaintext semantics, no TFHE engine)',
  parity: 'parity compute (real TFHE checked against the plaintext semantics)',
};

/** Every transaction of the run with FHE work, ranked by HCU and by engine time. */
export async function expensiveTransactions(store: CoprocessorStore): Promise<ExpensiveTransactions> {
  const traces = await recentTransactionTraces(store, Number.MAX_SAFE_INTEGER);
  const top = (key: (t: TransactionTrace) => number) =>
    [...traces].sort((a, b) => key(b) - key(a)).slice(0, TOP);
  return { byHcu: top((t) => t.totals.hcu), byComputeTime: top((t) => t.totals.computeMs) };
}

/** Reads the totals off the coprocessor's Prometheus counters, and the expensive transactions off its store. */
export async function reportFromMetrics(
  metrics: CoprocessorMetrics,
  store?: CoprocessorStore,
): Promise<FheRunReport> {
  const byOutcome = new Map<string, number>();
  for (const { labels, value } of (await metrics.computations.get()).values) {
    const outcome = String(labels.outcome);
    byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + value);
  }
  const histogram = (await metrics.computeSeconds.get()).values;
  const fheSeconds = histogram
    .filter((v) => v.metricName === 'fhekit_coprocessor_compute_seconds_sum')
    .reduce((sum, v) => sum + v.value, 0);
  const pbs = (await metrics.pbs.get()).values.reduce((sum, v) => sum + v.value, 0);
  return {
    computed: byOutcome.get('computed') ?? 0,
    reused: byOutcome.get('reused') ?? 0,
    failed: byOutcome.get('error') ?? 0,
    pbs,
    fheSeconds,
    ...(store ? { expensive: await expensiveTransactions(store) } : {}),
  };
}

const summary = (t: TransactionTrace) =>
  `    ${t.txHash}  HCU ${t.totals.hcu.toLocaleString('en-US')} · depth ${t.totals.hcuDepth.toLocaleString('en-US')} · ${t.nodes.length} ops · ${formatMs(t.totals.computeMs)}${t.status === 'done' ? '' : ` · ${t.status}`}`;

/**
 * The top transactions. The in-process chain and store end with the run, so no `fhe trace` can read
 * them afterwards: the trace of the most expensive one is printed here instead.
 */
function expensiveLines(expensive: ExpensiveTransactions): string[] {
  if (expensive.byHcu.length === 0) return [];
  const heaviest = expensive.byHcu[0]!;
  return [
    '  most expensive transactions by HCU',
    ...expensive.byHcu.map(summary),
    '  by engine time',
    ...expensive.byComputeTime.map(summary),
    `  trace of ${heaviest.txHash} (the in-process chain ends with the run; against a \`fhe dev up\` stack, \`fhe trace <hash>\` shows any transaction):`,
    ...traceText(heaviest).map((line) => `    ${line}`),
  ];
}

export function formatRunReport(report: FheRunReport, wallSeconds: number): string[] {
  const lines = [
    `fhekit: ${COMPUTE_TITLES[report.compute ?? 'real']} report (${wallSeconds.toFixed(1)} s since the backend started)`,
    `  FHE operations computed  ${report.computed}`,
    `  results reused           ${report.reused} (same handle produced again, e.g. after evm_revert)`,
    `  failed computations      ${report.failed}`,
    `  programmable bootstraps  ${report.pbs}`,
    `  time in FHE              ${report.fheSeconds.toFixed(1)} s (summed over engine threads)`,
  ];
  if (report.hcu) {
    lines.push(
      `  HCU                      ${report.hcu.total} total over ${report.hcu.transactions} transactions, max ${report.hcu.maxPerTransaction} per transaction`,
    );
  }
  if (report.expensive) lines.push(...expensiveLines(report.expensive));
  if (report.parity) {
    lines.push(`  parity mismatches        ${report.parity.mismatches}`);
    for (const m of report.parity.latest) {
      lines.push(
        `    ${m.op} → ${m.type} ${m.handle}: engine ${m.actual}, plaintext semantics ${m.expected}`,
      );
    }
  }
  return lines;
}
