import { describe, expect, it } from 'vitest';
import { createWasmBlindRotator } from '../../src/engine/wasm/wasm-blind-rotator.js';
import { engineFixture } from './engine-fixture.js';
import { measureCarryLutErrorRate, switchedStdBound } from './pbs-error-rate.js';

/** ≈40 ms per PBS: FHEKIT_PBS_SAMPLES overrides the count. */
const SAMPLES = Number(process.env.FHEKIT_PBS_SAMPLES ?? 3000);

describe('parallel-carry LUTs, error rate at their worst input noise', () => {
  it(`has no failures in ${SAMPLES} bootstraps`, () => {
    const report = measureCarryLutErrorRate(engineFixture(), SAMPLES, createWasmBlindRotator);
    console.log('carry LUT error rate:', JSON.stringify(report));
    expect(report.failures).toBe(0);
    expect(report.switchedErrorStd).toBeLessThan(switchedStdBound(SAMPLES));
  }, 3_600_000);
});
