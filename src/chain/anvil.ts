import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { FhekitError } from '../errors.js';
import { claimStateFile, recordStateFileOwner, releaseStateFile } from './state-file-owner.js';

/** Chain id `ZamaEthereumConfig` (`@fhevm/solidity`) maps to the local host-contract addresses. */
export const LOCAL_CHAIN_ID = 31337;

export interface AnvilOptions {
  /** Loopback port; a free one is picked when omitted. */
  port?: number;
  chainId?: number;
  /** Seconds between blocks; omitted = a block per transaction (instant mining). */
  blockTimeSeconds?: number;
  /**
   * With instant mining, also mine an (empty) block every this many seconds, so that code waiting for
   * N blocks finishes without traffic. Ignored with `blockTimeSeconds`; 0 or omitted: off.
   */
  idleBlockSeconds?: number;
  /** Dev accounts of the standard mnemonic funded at genesis (anvil's default: 10). */
  accounts?: number;
  /** Load chain state from this file if it exists, and dump it there on exit and every few seconds. */
  stateFile?: string;
  /** anvil's stdout/stderr are appended here. */
  logFile: string;
  /** EIP-170 limit override in bytes, for oversized test contracts. */
  codeSizeLimit?: number;
  /** Give up waiting for "Listening on" after this long. */
  readyTimeoutMs?: number;
  /** Cleanup to run once anvil has exited, whether stop() or a SIGINT/SIGTERM of this process stopped it. */
  afterStop?: () => void;
}

export interface AnvilProcess {
  readonly pid: number;
  readonly port: number;
  readonly rpcUrl: string;
  readonly wsUrl: string;
  readonly chainId: number;
  readonly logFile: string;
  /** Settles when the process has ended, expectedly or not, with how (`code 1`, `signal SIGKILL`). */
  readonly exited: Promise<string>;
  /** SIGTERM (anvil dumps its state), then SIGKILL after `timeoutMs`. Idempotent. */
  stop(timeoutMs?: number): Promise<void>;
}

const HOST = '127.0.0.1';
// Periodic dumps bound what a crash (or a SIGKILL of the parent) can lose.
const STATE_DUMP_INTERVAL_SECONDS = 5;

/** The platform binary inside the `@foundry-rs/anvil-<os>-<arch>` package npm installed next to `@foundry-rs/anvil`. */
export function anvilBinaryPath(): string {
  const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch as string];
  const pkg = `@foundry-rs/anvil-${process.platform}-${arch}`;
  let packageJson: string;
  try {
    // Resolved from the wrapper package, which depends on it: works whether npm hoisted it or not.
    const wrapper = createRequire(import.meta.url).resolve('@foundry-rs/anvil/package.json');
    packageJson = createRequire(wrapper).resolve(`${pkg}/package.json`);
  } catch (cause) {
    throw new FhekitError('FHE_ANVIL_MISSING', `anvil binary package ${pkg} is not installed.`, {
      hint: 'Reinstall fhekit with optional dependencies enabled (npm install --include=optional).',
      cause,
    });
  }
  return join(dirname(packageJson), 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil');
}

export async function startAnvil(options: AnvilOptions): Promise<AnvilProcess> {
  if (options.port !== undefined) {
    if (!(await isPortFree(options.port))) {
      throw new FhekitError('FHE_PORT_IN_USE', `Port ${options.port} on ${HOST} is already in use.`, {
        hint: 'Stop whatever listens there (another `fhe dev up`?) or pick another port with --rpc-port (FHE_RPC_PORT; 0 = any free port).',
      });
    }
    return spawnAnvil(options, options.port);
  }
  // A port found free can be taken by someone else before anvil binds it; try a few.
  for (let attempt = 1; ; attempt++) {
    try {
      return await spawnAnvil(options, await findFreePort());
    } catch (error) {
      if (attempt === 3 || !(error instanceof FhekitError && error.code === 'FHE_PORT_IN_USE')) throw error;
    }
  }
}

async function spawnAnvil(options: AnvilOptions, port: number): Promise<AnvilProcess> {
  const chainId = options.chainId ?? LOCAL_CHAIN_ID;
  const args = ['--host', HOST, '--port', String(port), '--chain-id', String(chainId)];
  if (options.blockTimeSeconds !== undefined) args.push('--block-time', String(options.blockTimeSeconds));
  else if (options.idleBlockSeconds) {
    // anvil's mixed mining: a block per transaction, plus one per interval.
    args.push('--mixed-mining', '--block-time', String(options.idleBlockSeconds));
  }
  if (options.accounts !== undefined) args.push('--accounts', String(options.accounts));
  if (options.codeSizeLimit !== undefined) args.push('--code-size-limit', String(options.codeSizeLimit));
  if (options.stateFile !== undefined) {
    args.push('--state', options.stateFile, '--state-interval', String(STATE_DUMP_INTERVAL_SECONDS));
  }

  if (options.stateFile !== undefined) await claimStateFile(options.stateFile);
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(anvilBinaryPath(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `code ${code}`));
    // A binary that cannot be spawned reports 'error' and may never emit 'exit'.
    child.once('error', (error) => child.pid === undefined && resolve(error.message));
  });
  const closeLog = exited.then(() => new Promise<void>((resolve) => log.end(resolve)));

  try {
    await waitUntilListening(child, options.readyTimeoutMs ?? 15_000);
  } catch (error) {
    child.kill('SIGKILL');
    await closeLog;
    throw decorateStartError(error, options.logFile, port);
  }

  if (options.stateFile !== undefined) recordStateFileOwner(options.stateFile, child.pid!);
  let stopping: Promise<void> | undefined;
  function stop(timeoutMs = 10_000): Promise<void> {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        await exited;
        clearTimeout(timer);
      }
      await closeLog;
      if (options.stateFile !== undefined) releaseStateFile(options.stateFile);
      unregister(child);
      options.afterStop?.();
    })();
    return stopping;
  }
  register(child, stop);

  return {
    pid: child.pid!,
    port,
    rpcUrl: `http://${HOST}:${port}`,
    wsUrl: `ws://${HOST}:${port}`,
    chainId,
    logFile: options.logFile,
    exited,
    stop,
  };
}

/** Every anvil this process started and has not stopped: all are stopped on SIGINT/SIGTERM and at exit. */
const running = new Map<ChildProcess, () => Promise<void>>();

function register(child: ChildProcess, stop: () => Promise<void>): void {
  if (running.size === 0) {
    process.on('exit', terminateAllNow);
    process.on('SIGINT', stopAllThenResignal);
    process.on('SIGTERM', stopAllThenResignal);
  }
  running.set(child, stop);
}

function unregister(child: ChildProcess): void {
  running.delete(child);
  if (running.size === 0) removeProcessHooks();
}

function removeProcessHooks(): void {
  process.off('exit', terminateAllNow);
  process.off('SIGINT', stopAllThenResignal);
  process.off('SIGTERM', stopAllThenResignal);
}

// Last resort when the host exits without stop(): 'exit' handlers must be synchronous, so no waiting.
function terminateAllNow(): void {
  for (const child of running.keys()) child.kill('SIGTERM');
}

function stopAllThenResignal(signal: NodeJS.Signals): void {
  removeProcessHooks();
  void Promise.allSettled([...running.values()].map((stop) => stop())).then(() => {
    // Our listener suppressed Node's default "terminate on signal"; restore it unless the host handles the signal.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  });
}

function waitUntilListening(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => finish(new Error(`anvil was not ready after ${timeoutMs} ms`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      seen = (seen + chunk.toString('utf8')).slice(-4096);
      if (seen.includes('Listening on')) finish();
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      finish(new Error(`anvil exited before it was ready (code ${code}, signal ${signal})`));
    const onError = (error: Error) => finish(error);
    function finish(error?: Error) {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
      if (error) reject(error);
      else resolve();
    }
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

function decorateStartError(error: unknown, logFile: string, port: number): FhekitError {
  const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n') : '';
  if (/address already in use/i.test(tail)) {
    return new FhekitError(
      'FHE_PORT_IN_USE',
      `anvil could not bind ${HOST}:${port}: address already in use.`,
      {
        hint: 'Pick another port with --rpc-port (FHE_RPC_PORT; 0 = any free port), or stop the process using it.',
        cause: error,
      },
    );
  }
  return new FhekitError('FHE_ANVIL_START_FAILED', `anvil failed to start: ${(error as Error).message}`, {
    hint: `See the anvil log ${logFile}:\n${tail}`,
    cause: error,
  });
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: HOST, port }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : port;
      server.close(() => resolve(bound));
    });
  });
}

function findFreePort(): Promise<number> {
  return listenOnce(0);
}

async function isPortFree(port: number): Promise<boolean> {
  try {
    await listenOnce(port);
    return true;
  } catch {
    return false;
  }
}
