import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import { type Address, createPublicClient, http, type PublicClient, type Transport, webSocket } from 'viem';
import type { FheEvaluator } from '../engine/evaluator.js';
import { FhekitError } from '../errors.js';
import { exitSignal, type Service } from '../runtime/service.js';
import type { ResultPolicy } from './compute-mode.js';
import { type ChainRollback, HostListener } from './listener.js';
import { CoprocessorMetrics } from './metrics.js';
import { readRollbackRecord, writeRollbackRecord } from './rollback-record.js';
import { reportsPbs, Scheduler } from './scheduler.js';
import { openSqliteStore } from './sqlite-store.js';
import { type CoprocessorStatus, readStatus } from './status.js';
import type { CoprocessorStore, InputCiphertext } from './store.js';

export type { CoprocessorStatus } from './status.js';

export interface CoprocessorOptions {
  /** A store to use (not closed by `stop()`), or `dbPath` for the embedded SQLite one (closed by `stop()`). */
  store?: CoprocessorStore;
  dbPath?: string;
  /** Where the last chain rollback is kept for other processes (`fhe dev status`); in memory only without it. */
  rollbackFile?: string;
  /** JSON-RPC URL of the host chain; or `transport`. */
  rpcUrl?: string;
  /** A viem transport instead of `rpcUrl`, e.g. `custom(provider)` over an in-process EIP-1193 chain. */
  transport?: Transport;
  /** When given, heads arrive by subscription over WebSocket; otherwise HTTP polling. */
  wsUrl?: string;
  addresses: { acl: Address; executor: Address };
  /**
   * Computes the events' ciphertexts. Without one only the listener runs, and computations wait in the
   * store for a worker process sharing it (like Zama's separate host-listener and tfhe-worker).
   */
  evaluator?: FheEvaluator;
  /** What the evaluator's results are (compute mode): default `real`. */
  results?: ResultPolicy;
  /** Made by the caller (level, destination): library code reads no environment. */
  logger: Logger;
  /** Computations on the evaluator at once; default: the number of cores. */
  concurrency?: number;
  /** First block to ingest on an empty store (default 0). */
  startBlock?: number;
  /** Listener head polling interval (default 200 ms over HTTP). */
  pollIntervalMs?: number;
  /** Failed attempts before a computation is marked `error` (default 3). */
  maxAttempts?: number;
}

/** The listener and the scheduler of one host chain, as one Service (`exited`: the listener loop died). */
export interface Coprocessor extends Service {
  readonly store: CoprocessorStore;
  /** Its Prometheus registry: mount `metricsHandler(coprocessor.metrics.registry)` or `startMetricsServer`. */
  readonly metrics: CoprocessorMetrics;
  status(): Promise<CoprocessorStatus>;
  /** Stores verified input ciphertexts and wakes the scheduler (instead of waiting for its poll). */
  insertInputCiphertexts(inputs: readonly InputCiphertext[]): Promise<void>;
  /** Resolves once the listener reached the chain head; FHE_LISTENER_STALLED if it cannot (see `HostListener`). */
  caughtUp(stallMs: number): Promise<void>;
}

/** Starts the listener and the scheduler on one store: the whole coprocessor of one host chain. */
export async function startCoprocessor(options: CoprocessorOptions): Promise<Coprocessor> {
  if (!options.rpcUrl && !options.transport) {
    throw new FhekitError('FHE_COPROCESSOR_CONFIG', 'The coprocessor needs the host chain.', {
      hint: 'Pass `rpcUrl` (and optionally `wsUrl`), or a viem `transport`.',
    });
  }
  if (!options.store && !options.dbPath) {
    throw new FhekitError('FHE_COPROCESSOR_CONFIG', 'The coprocessor needs a store or a database path.', {
      hint: 'Pass `dbPath` (e.g. <state-dir>/coprocessor.db) or an opened `store`.',
    });
  }
  const store = options.store ?? openSqliteStore(options.dbPath!);
  const { logger } = options;
  const concurrency = options.concurrency ?? availableParallelism();
  const startedAt = Date.now();
  const client: PublicClient = createPublicClient({
    transport:
      options.transport ?? (options.wsUrl ? webSocket(options.wsUrl) : http(options.rpcUrl, { batch: true })),
  });

  let listener: HostListener | undefined;
  let scheduler: Scheduler | undefined;
  const metrics = new CoprocessorMetrics(async () => {
    const [counts, cursor] = await Promise.all([store.counts(), store.getCursor()]);
    return {
      pending: counts.computations.pending,
      ready: counts.ready,
      inFlight: scheduler?.inFlightCount ?? 0,
      failed: counts.computations.error,
      headBlock: listener?.headBlock ?? null,
      cursorBlock: cursor?.number ?? null,
    };
  });
  let lastRollback: ChainRollback | null = options.rollbackFile
    ? readRollbackRecord(options.rollbackFile)
    : null;
  scheduler = options.evaluator
    ? new Scheduler({
        store,
        evaluator: options.evaluator,
        ...(options.results ? { results: options.results } : {}),
        metrics,
        logger: logger.child({ component: 'scheduler' }),
        concurrency,
        maxAttempts: options.maxAttempts,
        pollIntervalMs: 200,
      })
    : undefined;
  listener = new HostListener({
    client,
    store,
    addresses: options.addresses,
    metrics,
    logger: logger.child({ component: 'listener' }),
    startBlock: options.startBlock,
    pollIntervalMs: options.pollIntervalMs,
    subscribe: options.wsUrl !== undefined && !options.transport,
    onBlock: (block) => {
      if (block.computations.length > 0) scheduler?.wake();
    },
    onRollback: (rollback) => {
      lastRollback = rollback;
      if (options.rollbackFile) writeRollbackRecord(options.rollbackFile, rollback);
    },
  });
  scheduler?.start();
  listener.start();
  const exit = exitSignal();
  listener.ended.then(
    () => exit.died(new Error('the chain listener stopped')),
    (error: unknown) => exit.died(error instanceof Error ? error : new Error(String(error))),
  );
  logger.info(
    {
      concurrency: scheduler ? concurrency : 0,
      rpc: options.wsUrl ?? options.rpcUrl ?? 'custom transport',
      cursor: await store.getCursor(),
    },
    'coprocessor started',
  );

  let stopping: Promise<void> | undefined;
  return {
    store,
    metrics,
    status: () =>
      readStatus(store, {
        headBlock: listener.headBlock,
        inFlight: scheduler?.inFlightCount ?? 0,
        opsPerSecond: metrics.opsRate.perSecond(),
        pbsPerSecond: options.evaluator && reportsPbs(options.evaluator) ? metrics.pbsRate.perSecond() : null,
        concurrency: scheduler ? concurrency : 0,
        uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
        lastRollback,
      }),
    async insertInputCiphertexts(inputs) {
      await store.insertInputCiphertexts(inputs);
      scheduler?.wake();
    },
    caughtUp: (stallMs) => listener.whenCaughtUp(stallMs),
    name: 'coprocessor',
    exited: exit.exited,
    stop() {
      exit.stopping();
      stopping ??= (async () => {
        await listener.stop();
        await scheduler?.stop();
        if (options.wsUrl && !options.transport) (await client.transport.getRpcClient()).close();
        if (!options.store) await store.close();
        logger.info('coprocessor stopped');
      })();
      return stopping;
    },
  };
}
