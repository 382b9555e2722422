import type { Logger } from 'pino';
import type { FheEvaluator } from '../engine/evaluator.js';
import { createParityEvaluator, type ParityMismatch } from '../engine/parity-evaluator.js';
import { nameOf } from '../fhevm/fhe-types.js';
import { opName } from '../fhevm/operations.js';
import { operandHandles, toFhevmComputation } from './computation-input.js';
import type { ResultPolicy } from './compute-mode.js';
import type { CoprocessorMetrics } from './metrics.js';
import type { ComputationKey, CoprocessorStore, ReadyComputation } from './store.js';
import { Wakeup } from './wakeup.js';

export interface SchedulerOptions {
  store: CoprocessorStore;
  evaluator: FheEvaluator;
  /** Default `real`: results are stored as the evaluator returns them. */
  results?: ResultPolicy;
  metrics: CoprocessorMetrics;
  logger: Logger;
  /** Computations running on the evaluator at once. */
  concurrency: number;
  /** Failed attempts before a computation is marked `error`. */
  maxAttempts?: number;
  /** Delay before the first retry; doubles with every attempt. */
  retryDelayMs?: number;
  /** Poll for new work this often even without a wake-up (inputs inserted by another process). */
  pollIntervalMs?: number;
  /**
   * This worker's id in the store's leases (default `embedded`, the one worker of an embedded store).
   * Workers sharing a store need distinct ids; a worker restarted under its id gets its claims back.
   */
  worker?: string;
  /** Computations claimed at once (default: `concurrency`). */
  batchSize?: number;
  /** How long a claim holds without renewal (default 30 s); renewed every third of it while held. */
  leaseMs?: number;
}

/** Optional evaluator extension: cumulative PBS count, so the metrics can show PBS/s. */
interface PbsReporting {
  pbsCount(): number;
}

export const reportsPbs = (evaluator: FheEvaluator): evaluator is FheEvaluator & PbsReporting =>
  typeof (evaluator as Partial<PbsReporting>).pbsCount === 'function';

/**
 * Claims ready computations (every encrypted operand has a ciphertext) in batches, oldest event first,
 * runs at most `concurrency` at once on the evaluator, and stores each result atomically with its
 * status change. Claims are leases renewed while held: a worker that dies loses them when they expire,
 * and another worker (or its own restart) computes them. Work with a missing operand stays pending until
 * the operand lands; a failure is recorded against its own computation only. Results of computations in
 * flight at a crash are simply recomputed; a result is stored once (the first to finish wins).
 */
export class Scheduler {
  private readonly wakeup = new Wakeup();
  /** Output handles being computed: a second transaction producing the same handle waits and reuses it. */
  private readonly inFlight = new Set<string>();
  /** Claimed, not yet started, oldest event first. */
  private queue: ReadyComputation[] = [];
  /** Keys (`computationKey`) of the computations running. */
  private readonly running = new Set<string>();
  private stopped = true;
  private loop: Promise<void> | undefined;
  private pbsReported = 0;
  /** Bootstrap counts at the start of each computation on the evaluator, and whether another overlapped it. */
  private readonly pbsMeters = new Set<{ start: number; shared: boolean }>();
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;
  private readonly pollIntervalMs: number;
  readonly worker: string;
  private readonly batchSize: number;
  private readonly leaseMs: number;

  constructor(private readonly options: SchedulerOptions) {
    this.maxAttempts = options.maxAttempts ?? 3;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.worker = options.worker ?? 'embedded';
    this.batchSize = options.batchSize ?? options.concurrency;
    this.leaseMs = options.leaseMs ?? 30_000;
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    if (reportsPbs(this.options.evaluator)) this.pbsReported = this.options.evaluator.pbsCount();
    this.loop = this.run();
  }

  /** New computations or ciphertexts may be ready: look now rather than at the next poll. */
  wake(): void {
    this.wakeup.wake();
  }

  /**
   * Stops scheduling; results of computations still in the evaluator are discarded (they stay pending
   * and are recomputed by the next start), so this does not wait for long FHE operations.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeup.wake();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { store, logger, metrics } = this.options;
    const unwatch = await store
      .watchWork(() => this.wakeup.wake())
      .catch((error: unknown) => {
        logger.warn({ err: error }, 'cannot watch for new work; polling only');
        return null;
      });
    const renewal = setInterval(() => {
      store.renewLeases(this.worker, Date.now() + this.leaseMs).catch((error: unknown) => {
        metrics.errors.inc({ component: 'scheduler' });
        logger.error({ err: error }, 'renewing work leases failed');
      });
    }, this.leaseMs / 3);
    try {
      while (!this.stopped) {
        try {
          this.startQueued();
          if (this.inFlight.size < this.options.concurrency && !this.queue.some((c) => this.startable(c))) {
            await this.claim();
            this.startQueued();
          }
        } catch (error) {
          metrics.errors.inc({ component: 'scheduler' });
          logger.error({ err: error }, 'scheduler poll failed');
        }
        await this.wakeup.wait(this.pollIntervalMs);
      }
    } finally {
      clearInterval(renewal);
      await unwatch?.();
    }
    // Claims not finished go back to the queue at once rather than when their lease expires.
    this.queue = [];
    await store.releaseLeases(this.worker).catch((error: unknown) => {
      logger.warn({ err: error }, 'releasing work leases failed; they expire on their own');
    });
  }

  private async claim(): Promise<void> {
    const claimed = await this.options.store.claimComputations({
      worker: this.worker,
      limit: this.batchSize,
      leaseMs: this.leaseMs,
      now: Date.now(),
    });
    // Own claims come back too: keep the queued and running ones once.
    const held = new Set(this.queue.map(computationKey));
    for (const computation of claimed) {
      if (!held.has(computationKey(computation)) && !this.running.has(computationKey(computation))) {
        this.queue.push(computation);
      }
    }
  }

  private startable(computation: ReadyComputation): boolean {
    return !this.inFlight.has(computation.outputHandle);
  }

  private startQueued(): void {
    for (const computation of [...this.queue]) {
      if (this.inFlight.size >= this.options.concurrency) return;
      if (!this.startable(computation)) continue;
      this.queue.splice(this.queue.indexOf(computation), 1);
      this.launch(computation);
    }
  }

  private launch(computation: ReadyComputation): void {
    this.inFlight.add(computation.outputHandle);
    this.running.add(computationKey(computation));
    this.execute(computation)
      .catch((error: unknown) =>
        this.options.logger.error({ err: error }, 'recording a computation outcome failed'),
      )
      .finally(() => {
        this.inFlight.delete(computation.outputHandle);
        this.running.delete(computationKey(computation));
        this.wakeup.wake();
      });
  }

  /**
   * PBS the evaluator ran since the previous report. Concurrent computes share the evaluator's counter,
   * so deltas are taken globally (summing to the exact total), not per computation.
   */
  private pbsSinceLastReport(): number | undefined {
    const { evaluator } = this.options;
    if (!reportsPbs(evaluator)) return undefined;
    const total = evaluator.pbsCount();
    const delta = total - this.pbsReported;
    this.pbsReported = total;
    return delta;
  }

  /**
   * The evaluator counts bootstraps for all computations together: a computation's own count is the
   * difference over its run only when no other computation ran meanwhile (else null). Call the returned
   * function once the computation ended.
   */
  private startPbsMeter(): () => number | null {
    const { evaluator } = this.options;
    if (!reportsPbs(evaluator)) return () => null;
    const meter = { start: evaluator.pbsCount(), shared: this.pbsMeters.size > 0 };
    for (const other of this.pbsMeters) other.shared = true;
    this.pbsMeters.add(meter);
    return () => {
      this.pbsMeters.delete(meter);
      return meter.shared ? null : evaluator.pbsCount() - meter.start;
    };
  }

  private async execute(computation: ReadyComputation): Promise<void> {
    const { store, evaluator, metrics, logger } = this.options;
    const op = opName(computation.op) ?? `op${computation.op}`;
    const type = nameOf(computation.resultType) ?? `type${computation.resultType}`;
    const log = logger.child({ handle: computation.outputHandle, tx: computation.txHash, op, type });
    try {
      if (computation.outputExists) {
        if (await store.completeComputation(computation, null)) {
          metrics.computations.inc({ op, type, outcome: 'reused' });
          log.debug('output already computed for another transaction');
        }
        return;
      }
      // An in-thread evaluator blocks the event loop for a whole op; yield to timers and I/O (listener,
      // HTTP servers) between ops, or a backlog would starve them until it is done.
      await new Promise((resolve) => setImmediate(resolve));
      if (this.stopped) return;
      const ciphertexts = await store.getCiphertexts(operandHandles(computation));
      const input = toFhevmComputation(computation, ciphertexts);
      const results = this.options.results ?? { mode: 'real' };
      const mismatches: ParityMismatch[] = [];
      const engine =
        results.mode === 'parity'
          ? createParityEvaluator({
              real: evaluator,
              oracle: results.oracle,
              onMismatch: (mismatch) => mismatches.push(mismatch),
            })
          : evaluator;
      const started = performance.now();
      const measurePbs = this.startPbsMeter();
      let pbs: number | null = null;
      const bytes = await engine.compute(input).finally(() => {
        pbs = measurePbs();
      });
      const seconds = (performance.now() - started) / 1000;
      if (this.stopped) return;
      for (const { op: mismatchOp, resultType, expected, actual } of mismatches) {
        // An engine bug, kept even if the computation is rolled back below: the stored result is the engine's.
        await store.recordParityMismatch({
          handle: computation.outputHandle,
          op: mismatchOp,
          type: resultType,
          expected,
          actual,
        });
        metrics.errors.inc({ component: 'parity' });
        // The values stay in the store (owner-only state dir): plaintexts never go to the log.
        log.error('parity mismatch: the engine result differs from the plaintext semantics');
      }
      const result = {
        type: computation.resultType,
        bytes,
        computedInCleartext: results.mode === 'cleartext',
      };
      if (!(await store.completeComputation(computation, result, { computeMs: seconds * 1000, pbs }))) {
        log.info('computation was rolled back (reorg) or done by another worker; result dropped');
        return;
      }
      // Queued computations of the same handle (other transactions) reuse this result.
      for (const queued of this.queue) {
        if (queued.outputHandle === computation.outputHandle) queued.outputExists = true;
      }
      metrics.recordComputed(op, type, seconds, this.pbsSinceLastReport());
      log.debug({ seconds }, 'computed');
    } catch (error) {
      if (this.stopped) return;
      const message = error instanceof Error ? error.message : String(error);
      const retryAt = Date.now() + this.retryDelayMs * 2 ** computation.attempts;
      const status = await store.recordComputationFailure(computation, message, {
        maxAttempts: this.maxAttempts,
        retryAt,
      });
      metrics.errors.inc({ component: 'scheduler' });
      metrics.computations.inc({ op, type, outcome: status === 'error' ? 'error' : 'retry' });
      log.warn({ err: error, attempts: computation.attempts + 1, status }, 'computation failed');
    }
  }
}

const computationKey = (c: ComputationKey): string => `${c.outputHandle}:${c.txHash}`;
