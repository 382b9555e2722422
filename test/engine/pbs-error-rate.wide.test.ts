import { describe, expect, it } from 'vitest';
import { KERNEL_NAMES, selectKernels } from '../../src/engine/kernels.js';
import { nativeAddonUnavailableReason } from '../../src/engine/native/native-addon.js';
import { engineFixture } from './engine-fixture.js';
import { measurePbsErrorRate, switchedStdBound } from './pbs-error-rate.js';

/** Thousands of PBS per kernel (≈10 ms native, ≈30 ms wasm each): FHEKIT_PBS_SAMPLES overrides the count. */
const SAMPLES = Number(process.env.FHEKIT_PBS_SAMPLES ?? 5000);
const nativeMissing = nativeAddonUnavailableReason();

describe('PBS error rate, large sample', () => {
  for (const kernel of KERNEL_NAMES) {
    const skip = kernel === 'native' && nativeMissing !== undefined;
    it.skipIf(skip)(
      `has no failures in ${SAMPLES} bootstraps at max noise level, ${kernel} kernels${skip ? ` (skipped: ${nativeMissing})` : ''}`,
      () => {
        const { blindRotator, keyswitcher } = selectKernels(kernel);
        const report = measurePbsErrorRate(engineFixture(), SAMPLES, blindRotator, keyswitcher);
        console.log(`PBS error rate (${kernel}):`, JSON.stringify(report));
        expect(report.failures).toBe(0);
        expect(report.switchedErrorStd).toBeLessThan(switchedStdBound(SAMPLES));
      },
      3_600_000,
    );
  }
});
