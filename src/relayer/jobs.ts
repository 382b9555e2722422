import { randomUUID } from 'node:crypto';

export type JobState<T> =
  | { status: 'queued' }
  | { status: 'succeeded'; result: T }
  | { status: 'failed'; error: unknown };

/**
 * The v2 protocol's asynchronous jobs: POST starts one and answers with its id, GET polls it.
 * Finished jobs are forgotten after `ttlMs`.
 */
export class JobRegistry<T> {
  private readonly jobs = new Map<string, JobState<T>>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly ttlMs: number) {}

  start(work: () => Promise<T>): string {
    const id = randomUUID();
    this.jobs.set(id, { status: 'queued' });
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

  get(id: string): JobState<T> | undefined {
    return this.jobs.get(id);
  }

  clear(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.jobs.clear();
  }

  private finish(id: string, state: JobState<T>): void {
    this.jobs.set(id, state);
    const timer = setTimeout(() => {
      this.jobs.delete(id);
      this.timers.delete(timer);
    }, this.ttlMs);
    timer.unref();
    this.timers.add(timer);
  }
}
