import { describe, expect, it } from 'vitest';
import { engineFixture } from './engine-fixture.js';
import { measurePbsErrorRate } from './pbs-error-rate.js';

/** Thousands of PBS (≈0.3 s each): FHEKIT_PBS_SAMPLES overrides the count. */
const SAMPLES = Number(process.env.FHEKIT_PBS_SAMPLES ?? 2000);

describe('PBS error rate, large sample', () => {
  it(`has no failures in ${SAMPLES} bootstraps at max noise level`, () => {
    const report = measurePbsErrorRate(engineFixture(), SAMPLES);
    console.log('PBS error rate:', JSON.stringify(report));
    expect(report.failures).toBe(0);
    expect(report.estimatedLog2PFail).toBeLessThan(-100);
  }, 3_600_000);
});
