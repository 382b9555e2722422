import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { FhekitError } from '../errors.js';

/**
 * One anvil per state file. Two would both dump into it, and an anvil left behind by a host process
 * that was killed outright (SIGKILL, OOM: no chance to stop it) keeps its port and its state file.
 * `<stateFile>.pid` records the anvil and the process that started it, so the next start can tell a
 * live chain (refuse) from an orphan (stop it, its state is dumped on SIGTERM, then take over).
 */
interface OwnerRecord {
  anvilPid: number;
  ownerPid: number;
}

const ORPHAN_STOP_TIMEOUT_MS = 10_000;

function recordPath(stateFile: string): string {
  return `${stateFile}.pid`;
}

export async function claimStateFile(stateFile: string): Promise<void> {
  const path = recordPath(stateFile);
  if (!existsSync(path)) return;
  const record = JSON.parse(readFileSync(path, 'utf8')) as OwnerRecord;
  if (!isAnvilFor(record.anvilPid, stateFile)) {
    rmSync(path, { force: true }); // stale: that anvil is gone (or its pid now belongs to something else)
    return;
  }
  if (isAlive(record.ownerPid)) {
    throw new FhekitError(
      'FHE_CHAIN_ALREADY_RUNNING',
      `A chain for ${stateFile} is already running (anvil pid ${record.anvilPid}, started by pid ${record.ownerPid}).`,
      { hint: 'Stop that stack first (`fhe dev down`), or use another state directory.' },
    );
  }
  await terminate(record.anvilPid, stateFile);
  rmSync(path, { force: true });
}

export function recordStateFileOwner(stateFile: string, anvilPid: number): void {
  const record: OwnerRecord = { anvilPid, ownerPid: process.pid };
  writeFileSync(recordPath(stateFile), `${JSON.stringify(record)}\n`);
}

export function releaseStateFile(stateFile: string): void {
  rmSync(recordPath(stateFile), { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Where /proc exists, its command line tells our anvil from a recycled pid or a zombie (empty).
function isAnvilFor(pid: number, stateFile: string): boolean {
  if (!isAlive(pid)) return false;
  if (!existsSync('/proc/self/cmdline')) return true;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(stateFile);
  } catch {
    return false;
  }
}

async function terminate(pid: number, stateFile: string): Promise<void> {
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + ORPHAN_STOP_TIMEOUT_MS;
  // An exited orphan may stay a zombie (nobody reaps it), so "gone" means: no longer that anvil.
  while (isAnvilFor(pid, stateFile)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      return;
    }
    await sleep(50);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
