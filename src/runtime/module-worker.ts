import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker from a sibling module of `callerUrl`. Under the TypeScript sources (tests, bin/dev.js)
 * the sibling is a `.ts` file that Node cannot load by itself, so the worker gets the tsx loader;
 * from the built `dist/` it is plain `.js`.
 */
export function startModuleWorker(
  callerUrl: string,
  siblingBaseName: string,
  options: WorkerOptions = {},
): Worker {
  const fromSources = callerUrl.endsWith('.ts');
  const url = new URL(`./${siblingBaseName}${fromSources ? '.ts' : '.js'}`, callerUrl);
  const execArgv = fromSources ? ['--import', 'tsx', ...(options.execArgv ?? [])] : options.execArgv;
  return new Worker(url, { ...options, ...(execArgv ? { execArgv } : {}) });
}
