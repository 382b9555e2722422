import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker from a sibling module of `callerUrl`. From the built `dist/` the sibling is plain
 * `.js`. Under the TypeScript sources (tests, bin/dev.js) it is a `.ts` file that a worker cannot load
 * by itself (`--import tsx` in execArgv does not reach worker module loading on Node 20), so a small
 * JavaScript bootstrap registers tsx inside the worker first, then imports the module.
 */
export function startModuleWorker(
  callerUrl: string,
  siblingBaseName: string,
  options: WorkerOptions = {},
): Worker {
  if (!callerUrl.endsWith('.ts')) return new Worker(new URL(`./${siblingBaseName}.js`, callerUrl), options);
  const moduleUrl = new URL(`./${siblingBaseName}.ts`, callerUrl).href;
  return new Worker(new URL('./tsx-worker-bootstrap.mjs', import.meta.url), {
    ...options,
    argv: [...(options.argv ?? []), moduleUrl],
  });
}
