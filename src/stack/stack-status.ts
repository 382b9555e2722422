import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createPublicClient, http } from 'viem';
import { openSqliteStore } from '../coprocessor/sqlite-store.js';
import type { StoreCounts } from '../coprocessor/store.js';
import { readStackRecord, type StackRecord } from './stack-record.js';

export interface StackReport {
  running: boolean;
  stateDir: string;
  record?: StackRecord;
  /** Latest block of the running chain. */
  headBlock?: number;
  /** From the coprocessor database in the state dir (also when the stack is down). */
  store?: StoreCounts;
}

/** What `fhe dev status` shows: the recorded stack (if alive), its chain head, and the database counts. */
export async function readStackReport(stateDir: string): Promise<StackReport> {
  const dir = resolve(stateDir);
  const record = readStackRecord(dir);
  const report: StackReport = { running: record !== undefined, stateDir: dir, ...(record ? { record } : {}) };
  if (record) {
    const client = createPublicClient({ transport: http(record.rpcUrl) });
    report.headBlock = Number(await client.getBlockNumber());
  }
  const dbPath = resolve(dir, 'coprocessor.db');
  if (existsSync(dbPath)) {
    const store = openSqliteStore(dbPath);
    report.store = await store.counts();
    await store.close();
  }
  return report;
}
