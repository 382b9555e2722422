// Worker entry for the shared-memory test: rotates with a kernel instance attached to the posted Fourier BSK.
import { parentPort, workerData } from 'node:worker_threads';
import {
  attachWasmBlindRotator,
  type SharedFourierBsk,
} from '../../../src/engine/wasm/wasm-blind-rotator.js';

const { shared, acc, mask } = workerData as {
  shared: SharedFourierBsk;
  acc: BigUint64Array;
  mask: Uint32Array;
};
parentPort?.postMessage(attachWasmBlindRotator(shared).rotate(acc, mask));
