import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Address } from 'viem';
import { createPooledEvaluator } from '../engine/pool/pooled-evaluator.js';
import { FhekitError } from '../errors.js';
import { loadKeyset } from '../keys/load-keyset.js';
import { keysetId } from '../keys/manifest.js';
import type { Service } from '../runtime/service.js';
import { startCoprocessor } from './coprocessor.js';
import { CoprocessorMetrics, type MetricsServer, startMetricsServer } from './metrics.js';
import { openPostgresStore } from './postgres-store.js';
import { Scheduler } from './scheduler.js';
import type { CoprocessorStore } from './store.js';

/**
 * The coprocessor's services as separate processes on one PostgreSQL database, like Zama's
 * host-listener and tfhe-worker: one listener follows the chain and writes computations, any number of
 * workers (on any machines) claim and compute them. Each serves its own `/metrics`.
 */
export interface ServiceBase {
  databaseUrl: string;
  /** Connections of this process's pool (default 10). */
  poolMaxConnections?: number;
  /** `host:port` of `/metrics` (port 0: any free one); none when omitted. */
  metricsAddr?: string;
  logger: Logger;
}

export interface ListenerServiceConfig extends ServiceBase {
  rpcUrl: string;
  /** Heads by WebSocket subscription instead of HTTP polling. */
  wsUrl?: string;
  addresses: { acl: Address; executor: Address };
  startBlock?: number;
}

export interface WorkerServiceConfig extends ServiceBase {
  keysDir: string;
  /** Computations claimed at once (default: `fheThreads`). */
  batchSize?: number;
  /** Engine threads, and computations run at once (default: the number of cores). */
  fheThreads?: number;
  /** Id in the leases (default `<hostname>-<pid>`); a restart under the same id resumes its claims. */
  workerId?: string;
  /** Lease of a claim (default 30 s): how long a killed worker's claims wait before others take them. */
  leaseMs?: number;
}

export interface RunningService extends Service {
  store: CoprocessorStore;
  /** Where `/metrics` is served, if it is. */
  metricsUrl: string | null;
}

/** `host:port` → listen arguments; FHE_METRICS_ADDR_INVALID otherwise. */
export function parseMetricsAddr(addr: string): { host: string; port: number } {
  const [, host, portText] = /^(.*):(\d+)$/.exec(addr) ?? [];
  const port = Number(portText);
  if (!host || !portText || port > 65_535) {
    throw new FhekitError('FHE_METRICS_ADDR_INVALID', `--metrics-addr ${addr} is not host:port.`, {
      hint: 'Pass e.g. 127.0.0.1:9100, or 0.0.0.0:9100 to be scraped from other machines.',
    });
  }
  return { host: host.replace(/^\[(.*)\]$/, '$1'), port };
}

async function serveMetrics(
  addr: string | undefined,
  metrics: CoprocessorMetrics,
): Promise<MetricsServer | null> {
  if (addr === undefined) return null;
  const { host, port } = parseMetricsAddr(addr);
  return startMetricsServer(port, metrics.registry, host);
}

/** Stops `parts` in reverse order, then closes the store. */
function composed(
  name: string,
  store: CoprocessorStore,
  parts: Service[],
  metricsServer: MetricsServer | null,
): RunningService {
  const services = metricsServer ? [...parts, metricsServer] : parts;
  let stopping: Promise<void> | undefined;
  return {
    name,
    store,
    metricsUrl: metricsServer?.url ?? null,
    exited: Promise.race(services.map((s) => s.exited)),
    stop() {
      stopping ??= (async () => {
        for (const part of [...services].reverse()) await part.stop();
        await store.close();
      })();
      return stopping;
    },
  };
}

/** `fhe coprocessor listener`: follows the host chain into the shared database. */
export async function startListenerService(config: ListenerServiceConfig): Promise<RunningService> {
  const store = await openPostgresStore(config.databaseUrl, { maxConnections: config.poolMaxConnections });
  try {
    const coprocessor = await startCoprocessor({
      store,
      rpcUrl: config.rpcUrl,
      ...(config.wsUrl ? { wsUrl: config.wsUrl } : {}),
      addresses: config.addresses,
      logger: config.logger,
      ...(config.startBlock === undefined ? {} : { startBlock: config.startBlock }),
    });
    const metricsServer = await serveMetrics(config.metricsAddr, coprocessor.metrics).catch(
      async (error: unknown) => {
        await coprocessor.stop();
        throw error;
      },
    );
    config.logger.info({ metrics: metricsServer?.url ?? null }, 'listener started');
    return composed('listener', store, [coprocessor], metricsServer);
  } catch (error) {
    await store.close();
    throw error;
  }
}

/**
 * `fhe coprocessor worker`: claims ready computations from the shared database and computes them. The
 * database is bound to one keyset: a worker with another one stops with FHE_STORE_KEYSET_MISMATCH
 * before computing anything (its results would decrypt to garbage).
 */
export async function startWorkerService(config: WorkerServiceConfig): Promise<RunningService> {
  const keyset = loadKeyset(config.keysDir);
  const store = await openPostgresStore(config.databaseUrl, { maxConnections: config.poolMaxConnections });
  const parts: Service[] = [];
  try {
    await store.bindKeyset(keysetId(keyset.manifest));
    const evaluator = await createPooledEvaluator({
      evaluationKeys: keyset.read('evaluationKeys'),
      ...(config.fheThreads === undefined ? {} : { threads: config.fheThreads }),
    });
    parts.push(evaluator);
    const worker = config.workerId ?? `${hostname()}-${process.pid}`;
    let scheduler: Scheduler | undefined;
    const metrics = new CoprocessorMetrics(async () => {
      const [counts, cursor] = await Promise.all([store.counts(), store.getCursor()]);
      return {
        pending: counts.computations.pending,
        ready: counts.ready,
        inFlight: scheduler?.inFlightCount ?? 0,
        failed: counts.computations.error,
        headBlock: null,
        cursorBlock: cursor?.number ?? null,
      };
    });
    scheduler = new Scheduler({
      store,
      evaluator,
      metrics,
      logger: config.logger.child({ component: 'worker', worker }),
      concurrency: evaluator.threads,
      batchSize: config.batchSize ?? evaluator.threads,
      worker,
      ...(config.leaseMs === undefined ? {} : { leaseMs: config.leaseMs }),
      pollIntervalMs: 1000,
    });
    scheduler.start();
    const running = scheduler;
    parts.push({ name: 'scheduler', exited: new Promise(() => {}), stop: () => running.stop() });
    const metricsServer = await serveMetrics(config.metricsAddr, metrics);
    config.logger.info(
      {
        worker,
        threads: evaluator.threads,
        batchSize: config.batchSize ?? evaluator.threads,
        metrics: metricsServer?.url ?? null,
      },
      'worker started',
    );
    return composed('worker', store, parts, metricsServer);
  } catch (error) {
    for (const part of parts.reverse()) await part.stop();
    await store.close();
    throw error;
  }
}
