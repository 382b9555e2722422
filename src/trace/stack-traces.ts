import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { TfheClientKey } from 'node-tfhe';
import type { Hex } from 'viem';
import { openSqliteStore } from '../coprocessor/sqlite-store.js';
import type { CoprocessorStore } from '../coprocessor/store.js';
import { FhekitError } from '../errors.js';
import { SERIALIZATION_LIMIT } from '../fhevm/limits.js';
import { loadKeyset } from '../keys/load-keyset.js';
import { checkStateKeyset } from '../stack/state-keyset.js';
import { stateDirLayout } from '../state-dir.js';
import { decryptWithClientKey } from '../tfhe/client-ciphertexts.js';
import {
  buildTransactionTrace,
  recentTransactionTraces,
  type TransactionTrace,
} from './transaction-trace.js';

export interface TraceRequest {
  stateDir: string;
  /** One transaction, or the `last` latest ones. */
  target: { txHash: string } | { last: number };
  /** Decrypt operands and results with the keyset's client key (a dev-only power). */
  values?: { keysDir: string };
}

export interface StackTraces {
  traces: TransactionTrace[];
  /** Decrypted values (decimal) of every handle the traces show that has a ciphertext, with `values`. */
  values?: Record<Hex, string>;
}

/** `fhe trace`: the traces from the coprocessor database of the stack in `stateDir` (running or not). */
export async function readStackTraces(request: TraceRequest): Promise<StackTraces> {
  const dbPath = stateDirLayout(resolve(request.stateDir)).coprocessorDb;
  if (!existsSync(dbPath)) {
    throw new FhekitError('FHE_TRACE_NO_STACK', `No coprocessor database at ${dbPath}.`, {
      hint: 'Start a stack with `fhe dev up` (or pass the --state-dir it uses).',
    });
  }
  if ('last' in request.target && (!Number.isInteger(request.target.last) || request.target.last < 1)) {
    throw new FhekitError(
      'FHE_TRACE_LAST_INVALID',
      `--last ${request.target.last} is not a positive integer.`,
      {
        hint: 'Pass --last 1 for the latest transaction.',
      },
    );
  }
  const store = openSqliteStore(dbPath);
  try {
    const traces =
      'txHash' in request.target
        ? [await buildTransactionTrace(store, request.target.txHash)]
        : await recentTransactionTraces(store, request.target.last);
    if (!request.values) return { traces };
    return {
      traces,
      values: await decryptTraceValues(store, traces, request.stateDir, request.values.keysDir),
    };
  } finally {
    await store.close();
  }
}

async function decryptTraceValues(
  store: CoprocessorStore,
  traces: readonly TransactionTrace[],
  stateDir: string,
  keysDir: string,
): Promise<Record<Hex, string>> {
  const keyset = loadKeyset(keysDir);
  // Under another keyset the stored ciphertexts decrypt to garbage.
  checkStateKeyset(stateDir, keyset);
  const clientKey = TfheClientKey.safe_deserialize(keyset.read('clientKey'), SERIALIZATION_LIMIT);
  const handles = new Set<Hex>();
  for (const node of traces.flatMap((t) => t.nodes)) {
    handles.add(node.result);
    for (const operand of node.operands) if (operand.kind === 'handle') handles.add(operand.handle);
  }
  const values: Record<Hex, string> = {};
  for (const [handle, ciphertext] of await store.getCiphertexts([...handles])) {
    values[handle] = decryptWithClientKey(ciphertext.type, ciphertext.bytes, clientKey).toString();
  }
  return values;
}
