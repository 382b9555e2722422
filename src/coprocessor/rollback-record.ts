import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { ChainRollback } from './listener.js';

/**
 * The last time the host chain went back under ingested blocks (a reorg, or anvil restarted from an
 * older state after a crash), kept in a file (the state dir's `lastRollback`) so that `fhe dev status` sees it from another
 * process, also after the stack stopped.
 */
export function writeRollbackRecord(path: string, rollback: ChainRollback): void {
  writeFileSync(`${path}.tmp`, `${JSON.stringify(rollback, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

export function readRollbackRecord(path: string): ChainRollback | null {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as ChainRollback) : null;
}
