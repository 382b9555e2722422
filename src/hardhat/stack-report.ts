import { FhekitError } from '../errors.js';
import type { FheRunReport } from './run-report.js';

type Totals = Omit<FheRunReport, 'hcu' | 'compute' | 'parity' | 'expensive'>;

const OUTCOMES: Record<string, keyof Totals> = { computed: 'computed', reused: 'reused', error: 'failed' };

/** The run-report totals in a Prometheus text exposition of a stack's coprocessor metrics. */
export function totalsFromPrometheus(text: string): Totals {
  const totals: Totals = { computed: 0, reused: 0, failed: 0, pbs: 0, fheSeconds: 0 };
  for (const line of text.split('\n')) {
    const match = /^(fhekit_coprocessor_\w+)(?:\{([^}]*)\})?\s+(\S+)$/.exec(line);
    if (!match) continue;
    const [, name, labels = '', raw] = match;
    const value = Number(raw);
    if (name === 'fhekit_coprocessor_computations_total') {
      const key = OUTCOMES[/outcome="([^"]*)"/.exec(labels)?.[1] ?? ''];
      if (key) totals[key] += value;
    } else if (name === 'fhekit_coprocessor_pbs_total') totals.pbs += value;
    else if (name === 'fhekit_coprocessor_compute_seconds_sum') totals.fheSeconds += value;
  }
  return totals;
}

/** What the stack did between two readings (its work for every client, this run's included). */
export function totalsSince(before: Totals, after: Totals): Totals {
  return {
    computed: after.computed - before.computed,
    reused: after.reused - before.reused,
    failed: after.failed - before.failed,
    pbs: after.pbs - before.pbs,
    fheSeconds: after.fheSeconds - before.fheSeconds,
  };
}

/** Reads a stack's `/metrics` (bounded: a stack that stopped answering is a typed error, not a hang). */
export async function readStackTotals(metricsUrl: string): Promise<Totals> {
  try {
    const response = await fetch(metricsUrl, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return totalsFromPrometheus(await response.text());
  } catch (cause) {
    throw new FhekitError(
      'FHE_STACK_METRICS_UNAVAILABLE',
      `Could not read the stack's metrics at ${metricsUrl}.`,
      {
        hint: 'Check that `fhe dev up` still runs (`fhe dev status`).',
        cause,
      },
    );
  }
}
