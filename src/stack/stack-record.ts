import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { ComputeMode } from '../coprocessor/compute-mode.js';
import { stateDirLayout } from '../state-dir.js';
import type { InputMode } from './stack-defaults.js';

/**
 * What a running `fhe dev up` publishes in its state directory so that `fhe dev status` and
 * `fhe dev down` (other processes) can find it. Written when the stack is ready, removed on stop.
 */
export interface StackRecord {
  pid: number;
  startedAt: string;
  rpcUrl: string;
  apiUrl: string;
  /** Prometheus /metrics. */
  metricsUrl: string;
  chainId: number;
  addresses: Record<string, string>;
  compute: ComputeMode;
  inputs: InputMode;
  /** The engine kernels (`native-avx512f`, `wasm-simd128`, …); absent in cleartext mode. */
  kernel?: string;
}

export function writeStackRecord(stateDir: string, record: StackRecord): void {
  const path = stateDirLayout(stateDir).stackRecord;
  writeFileSync(`${path}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

export function removeStackRecord(stateDir: string, pid: number): void {
  // Only the owner removes it: a second stack that failed to start must not erase the first one's record.
  if (readStackRecord(stateDir)?.pid === pid) rmSync(stateDirLayout(stateDir).stackRecord, { force: true });
}

/** The record of a live stack, or undefined (none, or its process is gone: a stale record is removed). */
export function readStackRecord(stateDir: string): StackRecord | undefined {
  const path = stateDirLayout(stateDir).stackRecord;
  if (!existsSync(path)) return undefined;
  const record = JSON.parse(readFileSync(path, 'utf8')) as StackRecord;
  if (isAlive(record.pid)) return record;
  rmSync(path, { force: true });
  return undefined;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
