import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { readStackRecord } from '../stack/stack-record.js';
import { type StackProgress, startStack } from '../stack/start-stack.js';
import { stateDirLayout } from '../state-dir.js';
import { assertStackReachable } from './stack-reachability.js';

export interface SmokeTarget {
  rpcUrl: string;
  apiUrl: string;
  /** Where it came from, for the report. */
  origin: 'urls' | 'running stack' | 'own stack';
  /** Stops a stack the smoke test started itself. */
  release(): Promise<void>;
}

/**
 * What to test: explicit URLs, else the stack running from `stateDir`, else a throwaway stack started
 * here (temporary state, free ports, the keyset from `keysDir`, generated if missing).
 */
export async function resolveSmokeTarget(options: {
  rpcUrl?: string;
  apiUrl?: string;
  stateDir: string;
  keysDir: string;
  onStackProgress?: (p: StackProgress) => void;
}): Promise<SmokeTarget> {
  if (options.rpcUrl && options.apiUrl) {
    await assertStackReachable({ rpcUrl: options.rpcUrl, apiUrl: options.apiUrl });
    return { rpcUrl: options.rpcUrl, apiUrl: options.apiUrl, origin: 'urls', release: async () => {} };
  }
  const record = readStackRecord(options.stateDir);
  if (record) {
    await assertStackReachable(record);
    return { rpcUrl: record.rpcUrl, apiUrl: record.apiUrl, origin: 'running stack', release: async () => {} };
  }

  const stateDir = mkdtempSync(join(tmpdir(), 'fhekit-smoke-'));
  const stack = await startStack(
    {
      stateDir,
      keysDir: options.keysDir,
      rpcPort: 0,
      apiPort: 0,
      metricsPort: 0,
      logger: pino({ level: 'warn' }, pino.destination({ dest: stateDirLayout(stateDir).log, sync: true })),
    },
    options.onStackProgress,
  );
  return {
    rpcUrl: stack.chain.rpcUrl,
    apiUrl: stack.relayer.url,
    origin: 'own stack',
    release: async () => {
      await stack.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
