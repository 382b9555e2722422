import type { FhevmComputation } from '../evaluator.js';
import type { AlgorithmChoice } from '../radix/block-evaluator.js';
import type { BoardMemory } from './batch-board.js';
import type { SharedEvaluationKeys } from './shared-keys.js';

/** What the pool posts to each thread at start (workerData). */
export interface PoolWorkerData {
  keys: SharedEvaluationKeys;
  board: BoardMemory;
  thread: number;
  algorithm: AlgorithmChoice;
}

/** One computation per message; a thread answers it before it gets the next. */
export interface ComputeRequest {
  computation: FhevmComputation;
}

/** A failure, as plain data: FhekitError's code and hint survive the thread boundary. */
export interface SerializedError {
  message: string;
  code?: string;
  hint?: string;
}

export type WorkerMessage =
  | { kind: 'ready' }
  | { kind: 'result'; ciphertext: Uint8Array }
  | { kind: 'error'; error: SerializedError };
