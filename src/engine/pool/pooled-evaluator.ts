import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { FhekitError } from '../../errors.js';
import { startModuleWorker } from '../../runtime/module-worker.js';
import { exitSignal, type Service } from '../../runtime/service.js';
import { loadEvaluationKeys } from '../evaluation-keys.js';
import type { FheEvaluator, FhevmComputation } from '../evaluator.js';
import { type KernelName, selectKernels } from '../kernels.js';
import type { AlgorithmChoice } from '../radix/block-evaluator.js';
import { createBoardMemory, pbsCounts } from './batch-board.js';
import type { ComputeRequest, PoolWorkerData, SerializedError, WorkerMessage } from './pool-protocol.js';
import { shareEvaluationKeys } from './shared-keys.js';

/** The wasm kernel's shared memory takes at most 64 attached rotators; the creating thread holds one. */
const MAX_THREADS = 63;

export interface PooledEvaluatorOptions {
  /** The `eval-keys.bin` blob from `generateEvaluationKeys`. */
  evaluationKeys: Uint8Array;
  /** Worker threads (default: one per core). The CLI maps `--threads` / `FHE_THREADS` here. */
  threads?: number;
  /** Kernels (default: what FHE_KERNEL selects, see `selectKernels`). */
  kernel?: KernelName;
  /** Carry and comparison algorithms: `auto` (default) picks by the thread count; benchmarks force one. */
  algorithm?: AlgorithmChoice;
}

/** A Service too: `exited` reports a thread lost on its own (the pool is then unusable). */
export interface PooledEvaluator extends FheEvaluator, Service {
  readonly threads: number;
  /** The kernels the threads run, e.g. `native-avx512f` or `wasm-simd128` (`Kernels.label`). */
  readonly kernel: string;
  /** Bootstraps run so far, all threads together. */
  pbsCount(): number;
  /** The same per thread (each thread's own ops and the batches it helped with). */
  pbsCountsPerThread(): number[];
}

interface Job {
  request: ComputeRequest;
  resolve(ciphertext: Uint8Array): void;
  reject(error: Error): void;
}

/**
 * The engine on a worker_threads pool sharing one copy of the evaluation keys. Independent `compute`
 * calls run on different threads; within one op, independent bootstraps are spread over the threads
 * that are idle (see batch-board.ts).
 */
export async function createPooledEvaluator(options: PooledEvaluatorOptions): Promise<PooledEvaluator> {
  const threads = options.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new FhekitError(
      'FHE_THREADS_INVALID',
      `Thread count ${threads} is not an integer in [1, ${MAX_THREADS}].`,
      {
        hint: 'Pass --threads (or FHE_THREADS) between 1 and the number of cores.',
      },
    );
  }
  const keys = shareEvaluationKeys(loadEvaluationKeys(options.evaluationKeys), selectKernels(options.kernel));
  const board = createBoardMemory(threads);
  const workers = Array.from({ length: threads }, (_, thread) =>
    startModuleWorker(import.meta.url, 'pool-worker', {
      workerData: { keys, board, thread, algorithm: options.algorithm ?? 'auto' } satisfies PoolWorkerData,
    }),
  );
  const idle: Worker[] = [];
  const running = new Map<Worker, Job>();
  const queue: Job[] = [];
  let failure: Error | undefined;
  const exit = exitSignal();

  const dispatch = () => {
    while (queue.length > 0 && idle.length > 0) {
      const worker = idle.pop()!;
      const job = queue.shift()!;
      running.set(worker, job);
      worker.postMessage(job.request);
    }
  };

  /** Rejects everything pending and stops every thread: a lost thread may hold claimed bootstraps others wait for. */
  const fail = (error: Error) => {
    failure ??= error;
    exit.died(failure);
    for (const job of [...queue, ...running.values()]) job.reject(failure);
    queue.length = 0;
    running.clear();
    idle.length = 0;
    return Promise.all(workers.map((w) => w.terminate()));
  };

  await Promise.all(
    workers.map(
      (worker, thread) =>
        new Promise<void>((ready, startFailed) => {
          worker.on('message', (message: WorkerMessage) => {
            if (message.kind === 'ready') {
              idle.push(worker);
              ready();
              dispatch();
              return;
            }
            const job = running.get(worker);
            running.delete(worker);
            idle.push(worker);
            if (message.kind === 'result') job?.resolve(message.ciphertext);
            else job?.reject(rebuildError(message.error));
            dispatch();
          });
          const lost = (error: Error) => {
            startFailed(error);
            void fail(
              new FhekitError(
                'FHE_POOL_THREAD_FAILED',
                `Engine pool thread ${thread} stopped: ${error.message}`,
                {
                  hint: 'Create a new evaluator; if it keeps failing, run with --threads 1 and report the error.',
                  cause: error,
                },
              ),
            );
          };
          worker.on('error', lost);
          worker.on('exit', (code) => {
            if (failure === undefined) lost(new Error(`exited with code ${code}`));
          });
        }),
    ),
  ).catch(async (error) => {
    await fail(error as Error);
    throw failure;
  });

  return {
    threads,
    kernel: keys.label,
    pbsCount: () => pbsCounts(board).reduce((a, b) => a + b, 0),
    pbsCountsPerThread: () => pbsCounts(board),
    compute(computation: FhevmComputation) {
      if (failure) return Promise.reject(failure);
      return new Promise<Uint8Array>((resolve, reject) => {
        queue.push({ request: { computation }, resolve, reject });
        dispatch();
      });
    },
    name: 'engine threads',
    exited: exit.exited,
    async stop() {
      exit.stopping();
      await fail(
        new FhekitError('FHE_EVALUATOR_CLOSED', 'The evaluator was closed.', { hint: 'Create a new one.' }),
      );
    },
  };
}

function rebuildError(error: SerializedError): Error {
  if (error.code === undefined) return new Error(error.message);
  return new FhekitError(error.code, error.message, error.hint === undefined ? {} : { hint: error.hint });
}
