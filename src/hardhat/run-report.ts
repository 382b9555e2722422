import type { ComputeMode } from '../coprocessor/compute-mode.js';
import type { CoprocessorMetrics } from '../coprocessor/metrics.js';
import type { ParityMismatchRow } from '../coprocessor/store.js';

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
  /** How results were computed (default `real`). */
  compute?: ComputeMode;
  /** `parity` mode: engine results that disagree with the plaintext semantics (the run fails on any). */
  parity?: { mismatches: number; latest: ParityMismatchRow[] };
}

const COMPUTE_TITLES: Record<ComputeMode, string> = {
  real: 'real TFHE',
  cleartext: 'cleartext compute (plaintext semantics, no TFHE engine)',
  parity: 'parity compute (real TFHE checked against the plaintext semantics)',
};

/** Reads the totals off the coprocessor's Prometheus counters. */
export async function reportFromMetrics(metrics: CoprocessorMetrics): Promise<FheRunReport> {
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
  };
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
