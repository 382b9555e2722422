import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createPublicClient, http } from 'viem';
import type { CoprocessorStatus } from '../coprocessor/coprocessor.js';
import { readRollbackRecord } from '../coprocessor/rollback-record.js';
import { openSqliteStore } from '../coprocessor/sqlite-store.js';
import { readStatus } from '../coprocessor/status.js';
import { stateDirLayout } from '../state-dir.js';
import { readStackRecord, type StackRecord } from './stack-record.js';

export interface StackReport {
  running: boolean;
  stateDir: string;
  record?: StackRecord;
  /** From the coprocessor database in the state dir (also when the stack is down), as the dashboard shows it. */
  coprocessor?: CoprocessorStatus;
}

/** What `fhe dev status` shows: the recorded stack (if alive), its chain head, and the database counts. */
export async function readStackReport(stateDir: string): Promise<StackReport> {
  const dir = resolve(stateDir);
  const record = readStackRecord(dir);
  const report: StackReport = { running: record !== undefined, stateDir: dir, ...(record ? { record } : {}) };
  const headBlock = record
    ? Number(await createPublicClient({ transport: http(record.rpcUrl) }).getBlockNumber())
    : null;
  const paths = stateDirLayout(dir);
  if (existsSync(paths.coprocessorDb)) {
    const store = openSqliteStore(paths.coprocessorDb);
    report.coprocessor = await readStatus(store, {
      headBlock,
      lastRollback: readRollbackRecord(paths.lastRollback),
    });
    await store.close();
  }
  return report;
}
