// Pool thread entry: runs one fhEVM computation at a time from the pool, and while idle helps run the
// independent bootstraps other threads publish on the board.
import { parentPort, workerData } from 'node:worker_threads';
import { isFhekitError } from '../../errors.js';
import { computeOp } from '../compute-op.js';
import { decodeOperand, encodeResult } from '../create-evaluator.js';
import { BlockEvaluator } from '../radix/block-evaluator.js';
import { BatchBootstrapper } from './batch-bootstrapper.js';
import type { ComputeRequest, PoolWorkerData, WorkerMessage } from './pool-protocol.js';
import { attachEvaluationKeys } from './shared-keys.js';

const data = workerData as PoolWorkerData;
const port = parentPort!;
const { keys, blindRotator, keyswitcher } = attachEvaluationKeys(data.keys);
const bootstrapper = new BatchBootstrapper(keys, blindRotator, keyswitcher, data.board, data.thread);
const board = bootstrapper.board;
const ev = new BlockEvaluator(bootstrapper, { algorithm: data.algorithm });

port.on('message', ({ computation }: ComputeRequest) => {
  let reply: WorkerMessage;
  try {
    const operands = computation.operands.map(decodeOperand);
    const result = computeOp(ev, computation.op, computation.resultType, operands, computation.seed);
    reply = { kind: 'result', ciphertext: encodeResult(result, computation.resultType) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    reply = {
      kind: 'error',
      error: isFhekitError(error)
        ? { message, code: error.code, ...(error.hint === undefined ? {} : { hint: error.hint }) }
        : { message },
    };
  }
  // Counted before the reply, so the pool's counts include this op when its compute() resolves.
  board.recordPbsCount();
  // Transfer the result's memory only when it owns all of it (never a view into a shared slab).
  const result = reply.kind === 'result' ? reply.ciphertext : undefined;
  const owned = result !== undefined && result.byteLength === result.buffer.byteLength;
  port.postMessage(reply, owned ? [result.buffer as ArrayBuffer] : []);
});

/** Helps whenever work appears; between waits the event loop runs, so compute requests are not starved. */
function helpWhenIdle(): void {
  const seen = board.workSeq();
  board.help();
  void board.waitForWork(seen).then(() => setImmediate(helpWhenIdle));
}

helpWhenIdle();
port.postMessage({ kind: 'ready' } satisfies WorkerMessage);
