import { expect, it } from 'vitest';
import { createWasmBlindRotator } from '../../../src/engine/wasm/wasm-blind-rotator.js';
import { measureRotationNoise } from './blind-rotation-check.js';

// Full-size key (n = 918): the noise must stay far below the 2^58 decoding threshold (tfhe-rs: ~2^49).
it('blind rotation with n=918 keeps the output noise around 2^49', () => {
  const noise = measureRotationNoise(createWasmBlindRotator, 918, 21);
  console.log(
    `wasm blind rotation, n=918: noise std 2^${noise.stdLog2.toFixed(1)}, max 2^${noise.maxAbsLog2.toFixed(1)}`,
  );
  expect(noise.stdLog2).toBeLessThan(51);
  expect(noise.maxAbsLog2).toBeLessThan(53);
}, 300_000);
