import { describe, expect, it } from 'vitest';
import { createWasmBlindRotator } from '../../src/engine/wasm/wasm-blind-rotator.js';
import { engineFixture } from './engine-fixture.js';
import { measurePbsErrorRate, switchedStdBound } from './pbs-error-rate.js';

/** Thousands of PBS with the default (wasm) kernel, ≈40 ms each: FHEKIT_PBS_SAMPLES overrides the count. */
const SAMPLES = Number(process.env.FHEKIT_PBS_SAMPLES ?? 5000);

describe('PBS error rate, large sample', () => {
  it(`has no failures in ${SAMPLES} bootstraps at max noise level`, () => {
    const report = measurePbsErrorRate(engineFixture(), SAMPLES, createWasmBlindRotator);
    console.log('PBS error rate:', JSON.stringify(report));
    expect(report.failures).toBe(0);
    expect(report.switchedErrorStd).toBeLessThan(switchedStdBound(SAMPLES));
  }, 3_600_000);
});
