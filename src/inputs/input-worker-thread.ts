// The input pipeline on its own thread: proof checks (~2-3 s) and expansion (0.25-0.5 s per block)
// are synchronous wasm and would otherwise stall the stack's event loop (listener, HTTP).
import { parentPort, workerData } from 'node:worker_threads';
import { CompactPkeCrs, TfheClientKey, TfheCompactPublicKey } from 'node-tfhe';
import { createEvaluator } from '../engine/create-evaluator.js';
import { createWasmBlindRotator } from '../engine/wasm/wasm-blind-rotator.js';
import { isFhekitError } from '../errors.js';
import { SERIALIZATION_LIMIT } from '../fhevm/limits.js';
import { createNodeTfheInputExpander, engineInputExpander, type InputExpander } from './expander.js';
import type { InputWorkerKeys, InputWorkerReply, InputWorkerRequest } from './input-worker.js';
import { createToyKeyProofVerifier } from './toy-key-verifier.js';

const keys = workerData as InputWorkerKeys;
const verifier = createToyKeyProofVerifier(
  TfheCompactPublicKey.safe_deserialize(keys.publicKey, SERIALIZATION_LIMIT),
  CompactPkeCrs.safe_deserialize(keys.crs, SERIALIZATION_LIMIT),
);
const expander: InputExpander = createExpander();

function createExpander(): InputExpander {
  if ('evaluationKeys' in keys.expansion) {
    const { evaluationKeys } = keys.expansion;
    return engineInputExpander(createEvaluator({ evaluationKeys, blindRotator: createWasmBlindRotator }));
  }
  const nodeTfhe = createNodeTfheInputExpander(
    TfheClientKey.safe_deserialize(keys.expansion.clientKey, SERIALIZATION_LIMIT),
  );
  // Its server key takes 5-10 s: make it while no input is waiting rather than on the first one.
  setImmediate(() => nodeTfhe.prepare());
  return nodeTfhe;
}

async function handle(request: InputWorkerRequest): Promise<InputWorkerReply> {
  try {
    if (request.op === 'verify') {
      await verifier.verify(request.list, request.metadata);
      return { id: request.id, ok: true };
    }
    return { id: request.id, ok: true, ciphertexts: await expander.expand(request.list, request.types) };
  } catch (error) {
    const { message } = error instanceof Error ? error : new Error(String(error));
    return isFhekitError(error)
      ? { id: request.id, ok: false, error: { code: error.code, message, hint: error.hint } }
      : { id: request.id, ok: false, error: { message } };
  }
}

parentPort!.on('message', (request: InputWorkerRequest) => {
  handle(request).then((reply) => parentPort!.postMessage(reply));
});
