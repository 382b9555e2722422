import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { SharedFourierBsk } from '../../../src/engine/wasm/wasm-blind-rotator.js';
import type { RotationReply, RotationRequest } from './rotate-in-worker.js';

/** A worker thread rotating over `shared`; workers do not inherit the TS loader, so it registers tsx itself. */
export function startRotationWorker(shared: SharedFourierBsk): {
  rotate(request: RotationRequest): Promise<RotationReply>;
  terminate(): Promise<number>;
} {
  const entry = new URL('./rotate-in-worker.ts', import.meta.url).href;
  const worker = new Worker(
    `import('tsx/esm/api').then(({ tsImport }) => tsImport('${entry}', '${entry}'))`,
    {
      eval: true,
      workerData: shared,
    },
  );
  return {
    async rotate(request) {
      worker.postMessage(request);
      const [reply] = await once(worker, 'message');
      return reply as RotationReply;
    },
    terminate: () => worker.terminate(),
  };
}
