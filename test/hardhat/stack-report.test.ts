import { describe, expect, it } from 'vitest';
import { CoprocessorMetrics } from '../../src/coprocessor/metrics.js';
import { readStackTotals, totalsFromPrometheus, totalsSince } from '../../src/hardhat/stack-report.js';

const idle = async () => ({
  pending: 0,
  ready: 0,
  inFlight: 0,
  failed: 0,
  headBlock: null,
  cursorBlock: null,
});

describe('the end-of-run report of a `--network fhekit` run', () => {
  it("reads the run-report totals off a stack's Prometheus exposition, as a difference over the run", async () => {
    const metrics = new CoprocessorMetrics(idle);
    metrics.computations.inc({ op: 'FheAdd', type: 'Uint8', outcome: 'computed' }, 2);
    const before = totalsFromPrometheus(await metrics.registry.metrics());
    metrics.computations.inc({ op: 'FheAdd', type: 'Uint8', outcome: 'computed' }, 3);
    metrics.computations.inc({ op: 'FheMul', type: 'Uint16', outcome: 'reused' });
    metrics.computations.inc({ op: 'FheDiv', type: 'Uint8', outcome: 'error' });
    metrics.computations.inc({ op: 'FheDiv', type: 'Uint8', outcome: 'retry' });
    metrics.pbs.inc(40);
    metrics.computeSeconds.observe({ op: 'FheAdd', type: 'Uint8' }, 1.25);
    const after = totalsFromPrometheus(await metrics.registry.metrics());
    expect(totalsSince(before, after)).toEqual({
      computed: 3,
      reused: 1,
      failed: 1,
      pbs: 40,
      fheSeconds: 1.25,
    });
  });

  it('a stack that does not answer is FHE_STACK_METRICS_UNAVAILABLE', async () => {
    await expect(readStackTotals('http://127.0.0.1:9/metrics')).rejects.toMatchObject({
      code: 'FHE_STACK_METRICS_UNAVAILABLE',
      hint: expect.stringContaining('fhe dev status'),
    });
  });
});
