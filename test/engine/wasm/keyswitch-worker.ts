import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { SharedKeyswitchKey } from '../../../src/engine/wasm/wasm-keyswitcher.js';
import type { KeyswitchReply } from './keyswitch-in-worker.js';

/** A worker thread keyswitching over `shared`; workers do not inherit the TS loader, so it registers tsx itself. */
export function startKeyswitchWorker(shared: SharedKeyswitchKey): {
  run(input: Uint32Array): Promise<KeyswitchReply>;
  terminate(): Promise<number>;
} {
  const entry = new URL('./keyswitch-in-worker.ts', import.meta.url).href;
  const worker = new Worker(
    `import('tsx/esm/api').then(({ tsImport }) => tsImport('${entry}', '${entry}'))`,
    { eval: true, workerData: shared },
  );
  return {
    async run(input) {
      worker.postMessage(input);
      const [reply] = await once(worker, 'message');
      return reply as KeyswitchReply;
    },
    terminate: () => worker.terminate(),
  };
}
