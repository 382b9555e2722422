import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { FhekitError } from '../errors.js';
import type { FheEvaluator, FhevmComputation } from './evaluator.js';
import type { FheType } from './fhe-type.js';

export type WorkerRequest =
  | { id: number; kind: 'compute'; computation: FhevmComputation }
  | { id: number; kind: 'expand'; listBytes: Uint8Array; types: FheType[] };

export type WorkerReply =
  | { id: number; results: Uint8Array[] }
  | { id: number; error: { code?: string; message: string; hint?: string | undefined } };

export interface EvaluatorPool extends FheEvaluator {
  /** `Evaluator.expandInputs` on a pool thread. */
  expandInputs(listBytes: Uint8Array, types: FheType[]): Promise<Uint8Array[]>;
  readonly threads: number;
}

interface Job {
  request: WorkerRequest;
  resolve(results: Uint8Array[]): void;
  reject(error: Error): void;
}

/**
 * `threads` worker threads, each with its own evaluator over one shared copy of the evaluation-key blob
 * (a SharedArrayBuffer, so the 30 MiB blob is not copied per thread); one computation per thread at a
 * time, the rest queued in arrival order. Resolves once every thread has loaded its keys.
 */
export async function createEvaluatorPool(options: {
  evaluationKeys: Uint8Array;
  threads?: number;
}): Promise<EvaluatorPool> {
  const threads = options.threads ?? Math.max(1, availableParallelism());
  const shared = new SharedArrayBuffer(options.evaluationKeys.length);
  new Uint8Array(shared).set(options.evaluationKeys);
  const workers = Array.from({ length: threads }, () => startWorker(shared));
  const idle: Worker[] = [];
  const running = new Map<Worker, Job>();
  const queue: Job[] = [];
  let nextId = 0;
  let closed = false;

  const dispatch = () => {
    while (idle.length > 0 && queue.length > 0) {
      const worker = idle.pop()!;
      const job = queue.shift()!;
      running.set(worker, job);
      worker.postMessage(job.request);
    }
  };

  await Promise.all(
    workers.map(
      (worker) =>
        new Promise<void>((resolve, reject) => {
          worker.once('error', reject);
          worker.once('message', () => {
            worker.off('error', reject);
            resolve();
          });
        }),
    ),
  );
  for (const worker of workers) {
    worker.on('message', (reply: WorkerReply) => {
      const job = running.get(worker);
      running.delete(worker);
      idle.push(worker);
      if (job) {
        if ('results' in reply) job.resolve(reply.results);
        else job.reject(errorFrom(reply.error));
      }
      dispatch();
    });
    worker.on('error', (error) => {
      running.get(worker)?.reject(error);
      running.delete(worker);
    });
    idle.push(worker);
  }

  const submit = (request: WorkerRequest): Promise<Uint8Array[]> => {
    if (closed) return Promise.reject(closedError());
    return new Promise((resolve, reject) => {
      queue.push({ request, resolve, reject });
      dispatch();
    });
  };

  return {
    threads,
    compute: async (computation) => (await submit({ id: nextId++, kind: 'compute', computation }))[0]!,
    expandInputs: (listBytes, types) => submit({ id: nextId++, kind: 'expand', listBytes, types }),
    close: async () => {
      closed = true;
      for (const job of [...queue.splice(0), ...running.values()]) job.reject(closedError());
      running.clear();
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/** Running from TypeScript sources (tests, tsx), the worker registers tsx itself: workers do not inherit loaders. */
function startWorker(evaluationKeys: SharedArrayBuffer): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const entry = new URL('./evaluator-worker.ts', here).href;
    return new Worker(
      `import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(entry)}, ${JSON.stringify(here)}))`,
      {
        eval: true,
        workerData: { evaluationKeys },
      },
    );
  }
  return new Worker(new URL('./evaluator-worker.js', here), { workerData: { evaluationKeys } });
}

function errorFrom(error: { code?: string; message: string; hint?: string | undefined }): Error {
  if (error.code === undefined) return new Error(`engine worker failed: ${error.message}`);
  return new FhekitError(error.code, error.message, error.hint === undefined ? {} : { hint: error.hint });
}

function closedError(): FhekitError {
  return new FhekitError('FHE_EVALUATOR_CLOSED', 'The evaluator pool was closed.', {
    hint: 'Create a new pool.',
  });
}
