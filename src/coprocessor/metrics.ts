import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { FhekitError } from '../errors.js';
import { serverExitSignal } from '../runtime/server-exit.js';
import type { Service } from '../runtime/service.js';

/** What the gauges show, read from the store and the listener each time `/metrics` is scraped. */
export interface QueueSample {
  pending: number;
  ready: number;
  inFlight: number;
  failed: number;
  headBlock: number | null;
  cursorBlock: number | null;
}

/** Events per second over a sliding window (for `status()`, which has no Prometheus to compute rates). */
export class RateMeter {
  private readonly events: { at: number; count: number }[] = [];

  constructor(private readonly windowMs = 10_000) {}

  record(count = 1, at = Date.now()): void {
    this.events.push({ at, count });
    this.prune(at);
  }

  perSecond(now = Date.now()): number {
    this.prune(now);
    const total = this.events.reduce((sum, e) => sum + e.count, 0);
    return total / (this.windowMs / 1000);
  }

  private prune(now: number): void {
    while (this.events.length > 0 && this.events[0]!.at <= now - this.windowMs) this.events.shift();
  }
}

/** The coprocessor's Prometheus metrics, in a registry of its own (several stacks can share a process). */
export class CoprocessorMetrics {
  readonly registry = new Registry();
  readonly computations: Counter<'op' | 'type' | 'outcome'>;
  readonly computeSeconds: Histogram<'op' | 'type'>;
  readonly pbs: Counter;
  readonly errors: Counter<'component'>;
  readonly blocksIngested: Counter;
  readonly opsRate = new RateMeter();
  readonly pbsRate = new RateMeter();

  constructor(sample: () => Promise<QueueSample>) {
    const registers = [this.registry];
    this.computations = new Counter({
      name: 'fhekit_coprocessor_computations_total',
      help: 'Computations finished, by fhEVM op, result type and outcome (computed, reused, retry, error).',
      labelNames: ['op', 'type', 'outcome'],
      registers,
    });
    this.computeSeconds = new Histogram({
      name: 'fhekit_coprocessor_compute_seconds',
      help: 'Engine time per computation.',
      labelNames: ['op', 'type'],
      buckets: [0.01, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 180],
      registers,
    });
    this.pbs = new Counter({
      name: 'fhekit_coprocessor_pbs_total',
      help: 'Programmable bootstraps run by the engine (when the evaluator reports them).',
      registers,
    });
    this.errors = new Counter({
      name: 'fhekit_coprocessor_errors_total',
      help: 'Errors by component (listener: RPC/ingest failures; scheduler: failed computation attempts).',
      labelNames: ['component'],
      registers,
    });
    this.blocksIngested = new Counter({
      name: 'fhekit_coprocessor_blocks_ingested_total',
      help: 'Host-chain blocks ingested by the listener.',
      registers,
    });

    // One sample per scrape, shared by the gauges below.
    let scrape: Promise<QueueSample> | undefined;
    const sampled = () => {
      scrape ??= sample().finally(() => setTimeout(() => (scrape = undefined), 0));
      return scrape;
    };
    new Gauge({
      name: 'fhekit_coprocessor_queue_depth',
      help: 'Computations by state: pending (all not yet done), ready (operands present), in_flight, error.',
      labelNames: ['state'],
      registers,
      async collect() {
        const s = await sampled();
        this.set({ state: 'pending' }, s.pending);
        this.set({ state: 'ready' }, s.ready);
        this.set({ state: 'in_flight' }, s.inFlight);
        this.set({ state: 'error' }, s.failed);
      },
    });
    new Gauge({
      name: 'fhekit_coprocessor_lag_blocks',
      help: 'Host-chain head minus the last ingested block.',
      registers,
      async collect() {
        const s = await sampled();
        this.set(lagBlocks(s.headBlock, s.cursorBlock) ?? 0);
      },
    });
    new Gauge({
      name: 'fhekit_coprocessor_cursor_block',
      help: 'Last host-chain block ingested (-1 before the first).',
      registers,
      async collect() {
        this.set((await sampled()).cursorBlock ?? -1);
      },
    });
  }

  recordComputed(op: string, type: string, seconds: number, pbsCount: number | undefined): void {
    this.computations.inc({ op, type, outcome: 'computed' });
    this.computeSeconds.observe({ op, type }, seconds);
    this.opsRate.record();
    if (pbsCount !== undefined && pbsCount > 0) {
      this.pbs.inc(pbsCount);
      this.pbsRate.record(pbsCount);
    }
  }
}

export function lagBlocks(head: number | null, cursor: number | null): number | null {
  if (head === null) return null;
  return Math.max(0, head - (cursor ?? -1));
}

/** Serves the registry's text exposition on `GET /metrics`; 404 elsewhere. Mountable in another server. */
export function metricsHandler(registry: Registry): RequestListener {
  return (request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`),
    );
  };
}

export interface MetricsServer extends Service {
  url: string;
  port: number;
}

/** A standalone `/metrics` server, on loopback unless `host` says otherwise (port 0 = any free port). */
export async function startMetricsServer(
  port: number,
  registry: Registry,
  host = '127.0.0.1',
): Promise<MetricsServer> {
  const server = createServer(metricsHandler(registry));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause: NodeJS.ErrnoException) =>
      reject(
        new FhekitError(
          'FHE_METRICS_PORT',
          `Cannot serve metrics on port ${port}: ${cause.code ?? cause.message}.`,
          {
            hint: 'Pick another port (--metrics-port, --metrics-addr), or 0 for any free one.',
            cause,
          },
        ),
      ),
    );
    server.listen(port, host, resolve);
  });
  const bound = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  const exit = serverExitSignal(server);
  return {
    name: 'metrics server',
    exited: exit.exited,
    url: `http://${shown}:${bound}/metrics`,
    port: bound,
    stop: () => {
      exit.stopping();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
