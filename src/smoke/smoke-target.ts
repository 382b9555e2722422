import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { ComputeMode } from '../coprocessor/compute-mode.js';
import type { InputMode } from '../stack/stack-defaults.js';
import { readStackRecord } from '../stack/stack-record.js';
import { readStackReport } from '../stack/stack-status.js';
import { type StackModes, type StackProgress, startStack } from '../stack/start-stack.js';
import { stateDirLayout } from '../state-dir.js';
import { assertStackReachable } from './stack-reachability.js';

export interface SmokeTarget {
  rpcUrl: string;
  apiUrl: string;
  /** Where it came from, for the report. */
  origin: 'urls' | 'running stack' | 'own stack';
  /** The stack's modes (unknown for bare URLs). */
  modes?: StackModes;
  /** The stack's API token (for direct inputs), when its state directory is known. */
  apiToken?: string;
  /** Compiled fixtures are cached here (under `--state-dir`, whichever stack is tested). */
  solcCacheDir: string;
  /** Parity mismatches the stack recorded so far (a stack in parity mode whose database is known). */
  parityMismatches?: () => Promise<number>;
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
  /** Modes of the stack started here (a running stack keeps its own). */
  compute?: ComputeMode;
  inputs?: InputMode;
  onStackProgress?: (p: StackProgress) => void;
}): Promise<SmokeTarget> {
  const { solcCache: solcCacheDir } = stateDirLayout(options.stateDir);
  if (options.rpcUrl && options.apiUrl) {
    await assertStackReachable({ rpcUrl: options.rpcUrl, apiUrl: options.apiUrl });
    const apiToken = readApiToken(options.stateDir);
    return {
      rpcUrl: options.rpcUrl,
      apiUrl: options.apiUrl,
      origin: 'urls',
      solcCacheDir,
      ...(apiToken === undefined ? {} : { apiToken }),
      release: async () => {},
    };
  }
  const record = readStackRecord(options.stateDir);
  if (record) {
    await assertStackReachable(record);
    const apiToken = readApiToken(options.stateDir);
    return {
      rpcUrl: record.rpcUrl,
      apiUrl: record.apiUrl,
      origin: 'running stack',
      solcCacheDir,
      modes: { compute: record.compute, inputs: record.inputs },
      ...(apiToken === undefined ? {} : { apiToken }),
      ...(record.compute === 'parity'
        ? {
            parityMismatches: async () =>
              (await readStackReport(options.stateDir)).coprocessor?.parityMismatches ?? 0,
          }
        : {}),
      release: async () => {},
    };
  }

  const stateDir = mkdtempSync(join(tmpdir(), 'fhekit-smoke-'));
  const stack = await startStack(
    {
      stateDir,
      keysDir: options.keysDir,
      rpcPort: 0,
      apiPort: 0,
      metricsPort: 0,
      ...(options.compute ? { compute: options.compute } : {}),
      ...(options.inputs ? { inputs: options.inputs } : {}),
      logger: pino({ level: 'warn' }, pino.destination({ dest: stateDirLayout(stateDir).log, sync: true })),
    },
    options.onStackProgress,
  );
  const { modes } = await stack.status();
  return {
    rpcUrl: stack.chain.rpcUrl,
    apiUrl: stack.relayer.url,
    origin: 'own stack',
    solcCacheDir,
    modes,
    apiToken: readFileSync(stateDirLayout(stateDir).apiToken, 'utf8').trim(),
    ...(modes.compute === 'parity'
      ? { parityMismatches: async () => (await stack.status()).coprocessor.parityMismatches }
      : {}),
    release: async () => {
      await stack.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** The token `fhe dev up` keeps in the state directory (owner-only), if there is one. */
function readApiToken(stateDir: string): string | undefined {
  const path = stateDirLayout(stateDir).apiToken;
  return existsSync(path) ? readFileSync(path, 'utf8').trim() : undefined;
}
