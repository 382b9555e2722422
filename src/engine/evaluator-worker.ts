import { parentPort, workerData } from 'node:worker_threads';
import { isFhekitError } from '../errors.js';
import { createEvaluator } from './create-evaluator.js';
import type { WorkerReply, WorkerRequest } from './evaluator-pool.js';

/** One pool thread: loads the evaluation keys from the shared blob and serves requests one at a time. */
const port = parentPort!;
const evaluator = createEvaluator({
  evaluationKeys: new Uint8Array(workerData.evaluationKeys as SharedArrayBuffer),
});

port.on('message', (request: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    const results =
      request.kind === 'compute'
        ? [evaluator.computeSync(request.computation)]
        : evaluator.expandInputs(request.listBytes, request.types);
    reply = { id: request.id, results };
  } catch (error) {
    reply = {
      id: request.id,
      error: isFhekitError(error)
        ? { code: error.code, message: error.message, hint: error.hint }
        : { message: error instanceof Error ? (error.stack ?? error.message) : String(error) },
    };
  }
  port.postMessage(reply, 'results' in reply ? reply.results.map((r) => r.buffer as ArrayBuffer) : []);
});
port.postMessage({ ready: true });
