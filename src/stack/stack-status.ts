import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createPublicClient, http } from 'viem';
import type { CoprocessorStatus } from '../coprocessor/coprocessor.js';
import { openPostgresStore } from '../coprocessor/postgres-store.js';
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

/**
 * What `fhe dev status` shows: the recorded stack (if alive), its chain head, and the database counts:
 * from `databaseUrl` when the stack runs on PostgreSQL, otherwise from the state dir's SQLite file.
 */
export async function readStackReport(stateDir: string, databaseUrl?: string): Promise<StackReport> {
  const dir = resolve(stateDir);
  const record = readStackRecord(dir);
  const report: StackReport = { running: record !== undefined, stateDir: dir, ...(record ? { record } : {}) };
  const headBlock = record
    ? Number(await createPublicClient({ transport: http(record.rpcUrl) }).getBlockNumber())
    : null;
  const paths = stateDirLayout(dir);
  if (databaseUrl !== undefined || existsSync(paths.coprocessorDb)) {
    const store =
      databaseUrl === undefined ? openSqliteStore(paths.coprocessorDb) : await openPostgresStore(databaseUrl);
    report.coprocessor = await readStatus(store, {
      headBlock,
      lastRollback: readRollbackRecord(paths.lastRollback),
    });
    await store.close();
  }
  return report;
}
