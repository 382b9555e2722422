import { randomUUID } from 'node:crypto';
import { FhekitError } from '../errors.js';

export type JobState<T> =
  | { status: 'queued' }
  | { status: 'succeeded'; result: T }
  | { status: 'failed'; error: unknown };

export interface JobLimits {
  /** How long a finished job stays readable. */
  ttlMs: number;
  /** Jobs held at once (queued or finished): beyond it the oldest finished one is dropped, or, if all are queued, `start` refuses. */
  maxJobs: number;
}

/**
 * The v2 protocol's asynchronous jobs: POST starts one and answers with its id, GET polls it. Each job
 * belongs to one endpoint (`kind`), so an id is only found under the endpoint that started it. Memory is
 * bounded: at most `maxJobs` jobs are held, and a finished one is forgotten after `ttlMs`. Callers store
 * only what the answer needs (the formatted result, the API error).
 */
export class JobRegistry<T> {
  private readonly jobs = new Map<string, { kind: string; state: JobState<T> }>();
  /** Finished job ids → when they expire, oldest first. */
  private readonly finished = new Map<string, number>();

  constructor(private readonly limits: JobLimits) {}

  start(kind: string, work: () => Promise<T>): string {
    this.forgetExpired();
    if (this.jobs.size >= this.limits.maxJobs) {
      const oldest = this.finished.keys().next();
      if (oldest.done) {
        throw new FhekitError(
          'RELAYER_TOO_MANY_JOBS',
          `${this.jobs.size} requests are in progress; this relayer runs at most ${this.limits.maxJobs} at once.`,
          {
            hint: 'Retry after the Retry-After delay (the relayer SDK does), or send fewer requests at once.',
          },
        );
      }
      this.forget(oldest.value);
    }
    const id = randomUUID();
    this.jobs.set(id, { kind, state: { status: 'queued' } });
    // Start after the current turn: the work may block the event loop for seconds (wasm), and the
    // 202 with the job id must reach the client first.
    setImmediate(() =>
      work().then(
        (result) => this.finish(id, { status: 'succeeded', result }),
        (error: unknown) => this.finish(id, { status: 'failed', error }),
      ),
    );
    return id;
  }

  get(kind: string, id: string): JobState<T> | undefined {
    this.forgetExpired();
    const job = this.jobs.get(id);
    return job?.kind === kind ? job.state : undefined;
  }

  /** Jobs held now (queued and finished). */
  get size(): number {
    return this.jobs.size;
  }

  clear(): void {
    this.jobs.clear();
    this.finished.clear();
  }

  private finish(id: string, state: JobState<T>): void {
    const job = this.jobs.get(id);
    if (!job) return; // cleared meanwhile
    job.state = state;
    this.finished.set(id, Date.now() + this.limits.ttlMs);
  }

  private forget(id: string): void {
    this.jobs.delete(id);
    this.finished.delete(id);
  }

  private forgetExpired(): void {
    const now = Date.now();
    for (const [id, expiresAt] of this.finished) {
      if (expiresAt > now) break;
      this.forget(id);
    }
  }
}
