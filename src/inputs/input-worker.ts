import type { Worker } from 'node:worker_threads';
import { FhekitError } from '../errors.js';
import type { FheType } from '../fhevm/fhe-types.js';
import { startModuleWorker } from '../runtime/module-worker.js';
import { exitSignal, type Service } from '../runtime/service.js';
import type { InputExpander } from './expander.js';
import type { InputProofVerifier } from './toy-key-verifier.js';

/** What the input thread loads: node-tfhe `safe_serialize` bytes of the public key and CRS, plus the
 * material for expansion: the engine's evaluation keys (`eval-keys.bin`, faster, no secret needed) or
 * the client key (node-tfhe builds its server key from it, 5-10 s at start). */
export interface InputWorkerKeys {
  publicKey: Uint8Array;
  crs: Uint8Array;
  expansion: { evaluationKeys: Uint8Array } | { clientKey: Uint8Array };
}

type InputWorkerCall =
  | { op: 'verify'; list: Uint8Array; metadata: Uint8Array }
  | { op: 'expand'; list: Uint8Array; types: readonly FheType[] };

export type InputWorkerRequest = InputWorkerCall & { id: number };

export type InputWorkerReply =
  | { id: number; ok: true; ciphertexts?: Uint8Array[] }
  | { id: number; ok: false; error: { code?: string; message: string; hint?: string } };

export interface InputWorker extends Service {
  verifier: InputProofVerifier;
  expander: InputExpander;
}

/**
 * Runs the toy-key proof verifier and the expansion on a worker thread, so that the process stays
 * responsive while an input is checked. Requests are served in order.
 */
export function startInputWorker(keys: InputWorkerKeys): InputWorker {
  const worker = startThread(keys);
  const pending = new Map<
    number,
    { resolve: (reply: InputWorkerReply & { ok: true }) => void; reject: (e: Error) => void }
  >();
  let nextId = 0;
  let exited: Error | undefined;

  const failAll = (error: Error) => {
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };
  worker.on('message', (reply: InputWorkerReply) => {
    const waiter = pending.get(reply.id);
    pending.delete(reply.id);
    if (!waiter) return;
    if (reply.ok) return waiter.resolve(reply);
    const { code, message, hint } = reply.error;
    waiter.reject(code ? new FhekitError(code, message, { hint }) : new Error(`Input worker: ${message}`));
  });
  const exit = exitSignal();
  worker.on('error', (error) => {
    failAll(error);
    exit.died(error);
  });
  worker.on('exit', (exitCode) => {
    exited = new Error(`The input worker exited (code ${exitCode}).`);
    failAll(exited);
    exit.died(exited);
  });

  function call(request: InputWorkerCall) {
    const id = nextId++;
    return new Promise<InputWorkerReply & { ok: true }>((resolve, reject) => {
      if (exited) return reject(exited);
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...request, id });
    });
  }

  return {
    verifier: {
      verify: async (list, metadata) => {
        await call({ op: 'verify', list, metadata });
      },
    },
    expander: {
      expand: async (list, types) => (await call({ op: 'expand', list, types })).ciphertexts!,
    },
    name: 'input worker',
    exited: exit.exited,
    stop: async () => {
      exit.stopping();
      await worker.terminate();
    },
  };
}

/**
 * From the TypeScript sources (tests, bin/dev.js) the thread's module is `.ts`. Node 20 ignores
 * `--import tsx` in a worker's execArgv for the entry module, so a tiny bootstrap registers tsx first.
 */
function startThread(keys: InputWorkerKeys): Worker {
  return startModuleWorker(import.meta.url, 'input-worker-thread', { workerData: keys });
}
