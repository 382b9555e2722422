// Worker entry (shared-memory test): a keyswitcher attached to the KSK in workerData answers each input
// (LWE limbs) with the switched mask and body.
import { parentPort, workerData } from 'node:worker_threads';
import { PARAMS } from '../../../src/engine/params.js';
import { attachWasmKeyswitcher, type SharedKeyswitchKey } from '../../../src/engine/wasm/wasm-keyswitcher.js';

export interface KeyswitchReply {
  mask: Uint32Array;
  body: number;
}

const keyswitcher = attachWasmKeyswitcher(workerData as SharedKeyswitchKey);
parentPort?.on('message', (input: Uint32Array) => {
  const mask = new Uint32Array(PARAMS.smallDimension);
  const body = keyswitcher.run(input, mask);
  parentPort?.postMessage({ mask, body } satisfies KeyswitchReply);
});
