// Worker entry (shared-memory test and multi-thread benchmark): a kernel instance attached to the Fourier
// BSK in workerData answers each { acc, mask, runs } message with the rotation and the time `runs` took.
import { parentPort, workerData } from 'node:worker_threads';
import {
  attachWasmBlindRotator,
  type SharedFourierBsk,
} from '../../../src/engine/wasm/wasm-blind-rotator.js';

export interface RotationRequest {
  acc: BigUint64Array;
  mask: Uint32Array;
  runs: number;
}

export interface RotationReply {
  rotated: BigUint64Array;
  elapsedMs: number;
}

const rotator = attachWasmBlindRotator(workerData as SharedFourierBsk);
parentPort?.on('message', ({ acc, mask, runs }: RotationRequest) => {
  const start = performance.now();
  let rotated = rotator.rotate(acc, mask);
  for (let run = 1; run < runs; run++) rotated = rotator.rotate(acc, mask);
  parentPort?.postMessage({ rotated, elapsedMs: performance.now() - start } satisfies RotationReply);
});
