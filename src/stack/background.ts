import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FhekitError, isFhekitError } from '../errors.js';
import { stateDirLayout } from '../state-dir.js';
import { isAlive, readStackRecord, type StackRecord } from './stack-record.js';

/**
 * Records why the stack could not start in the state dir, so that the parent of a background child
 * shows the real error instead of a log tail (a foreground start leaves it for the next one to clear).
 */
export function recordStartFailure(stateDir: string, error: unknown): void {
  const path = stateDirLayout(stateDir).startError;
  mkdirSync(dirname(path), { recursive: true });
  const failure = isFhekitError(error)
    ? { code: error.code, message: error.message, hint: error.hint }
    : { code: 'FHE_STACK_START_FAILED', message: error instanceof Error ? error.message : String(error) };
  writeFileSync(path, `${JSON.stringify(failure)}\n`);
}

/**
 * Re-runs `fhe dev up` (the given argv, without --background) as a detached process logging to the
 * state dir, and resolves once it has published its stack record (ready), or fails with its log tail.
 */
export async function startStackInBackground(options: {
  stateDir: string;
  command: string[];
  timeoutMs?: number;
}): Promise<StackRecord> {
  const stateDir = resolve(options.stateDir);
  mkdirSync(stateDir, { recursive: true });
  const running = readStackRecord(stateDir);
  if (running) {
    throw new FhekitError(
      'FHE_STACK_RUNNING',
      `A stack is already running from ${stateDir} (pid ${running.pid}).`,
      {
        hint: 'Use `fhe dev status` to see it or `fhe dev down` to stop it.',
      },
    );
  }
  const { backgroundLog: logPath, startError: errorPath } = stateDirLayout(stateDir);
  rmSync(errorPath, { force: true });
  const log = openSync(logPath, 'w');
  const child = spawn(process.execPath, [...process.execArgv, ...options.command], {
    detached: true,
    stdio: ['ignore', log, log],
    // The child runs the stack itself: an inherited FHE_BACKGROUND would make it detach once more.
    env: { ...process.env, CI: '1', FHE_BACKGROUND: undefined },
  });
  closeSync(log);
  child.unref();

  const deadline = Date.now() + (options.timeoutMs ?? 15 * 60_000);
  while (Date.now() < deadline) {
    const record = readStackRecord(stateDir);
    if (record && record.pid === child.pid) return record;
    if (!isAlive(child.pid!)) break;
    await sleep(250);
  }
  if (existsSync(errorPath)) {
    const failure = JSON.parse(readFileSync(errorPath, 'utf8')) as {
      code: string;
      message: string;
      hint?: string;
    };
    rmSync(errorPath, { force: true });
    throw new FhekitError(failure.code, failure.message, {
      hint: `${failure.hint ? `${failure.hint}\n` : ''}Full log of the background start: ${logPath}.`,
    });
  }
  const tail = readFileSync(logPath, 'utf8').trim().split('\n').slice(-15).join('\n');
  throw new FhekitError(
    'FHE_STACK_START_FAILED',
    `The background stack did not start. Last lines of ${logPath}:\n${tail}`,
    {
      hint: 'Fix the cause above, or run `fhe dev up` in the foreground to watch it start.',
    },
  );
}

/** Stops the stack recorded in the state dir: SIGTERM, then SIGKILL if it has not exited in time. */
export async function stopBackgroundStack(
  stateDir: string,
  timeoutMs = 20_000,
): Promise<StackRecord | undefined> {
  const record = readStackRecord(resolve(stateDir));
  if (!record) return undefined;
  process.kill(record.pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (isAlive(record.pid) && Date.now() < deadline) await sleep(200);
  if (isAlive(record.pid)) process.kill(record.pid, 'SIGKILL');
  return record;
}
