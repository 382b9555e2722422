import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ChainRollback } from './listener.js';

/**
 * The last time the host chain went back under ingested blocks (a reorg, or anvil restarted from an
 * older state after a crash), kept beside the database so that `fhe dev status` sees it from another
 * process, also after the stack stopped.
 */
export function rollbackRecordPath(dbPath: string): string {
  return join(dirname(dbPath), 'last-chain-rollback.json');
}

export function writeRollbackRecord(dbPath: string, rollback: ChainRollback): void {
  const path = rollbackRecordPath(dbPath);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(rollback, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

export function readRollbackRecord(dbPath: string): ChainRollback | null {
  const path = rollbackRecordPath(dbPath);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as ChainRollback) : null;
}
