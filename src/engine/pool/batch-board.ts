import { BIG_LWE_SIZE, BLOCK_SPACE } from '../params.js';
import type { BootstrapJob } from '../pbs/bootstrap.js';
import { type Lut, lutOf } from '../pbs/lut.js';

/**
 * A board in shared memory where each pool thread ("owner") publishes the independent bootstraps of the
 * op it is running, and every thread — the owner itself and idle ones — claims and runs them. The owner
 * blocks on `Atomics.wait` until its batch is done, so the radix code calling it stays synchronous.
 *
 * Claims are tickets: per owner, `next` and `end` only grow; a batch is tickets [base, end), job slot
 * ticket − base. An owner publishes a batch only after the previous one is done, so a claimed ticket
 * always belongs to the current batch and its slot data is in place (written before `end` is stored).
 */

/** Jobs per published batch; longer batches are run in chunks. */
const SLOTS = 64;
const LWE_BYTES = BIG_LWE_SIZE * 8;
/**
 * Per slot: input LWE, two output LWEs (the second for a pair job), the LUT's 16 outputs (helpers rebuild
 * the LUT from them, cached), a pair flag byte; padded so every slot's LWEs stay 8-byte aligned.
 */
const TABLE_OFFSET = 3 * LWE_BYTES;
const PAIR_OFFSET = TABLE_OFFSET + BLOCK_SPACE;
const SLOT_BYTES = Math.ceil((PAIR_OFFSET + 1) / 8) * 8;
const OWNER_BYTES = SLOTS * SLOT_BYTES;

/** control[0]: work sequence number idle threads wait on; then these words per owner. */
const WORK_SEQ = 0;
const NEXT = 0;
const END = 1;
const BASE = 2;
const DONE = 3;
const FAILED = 4;
/** Bootstraps this thread has run (its own and helped ones), as it last recorded. */
const PBS = 5;
const OWNER_WORDS = 6;

/** The structured-clonable memory of a board: create with `createBoardMemory`, post to every thread. */
export interface BoardMemory {
  readonly threads: number;
  readonly control: SharedArrayBuffer;
  readonly data: SharedArrayBuffer;
}

export function createBoardMemory(threads: number): BoardMemory {
  return {
    threads,
    control: new SharedArrayBuffer((1 + threads * OWNER_WORDS) * 4),
    data: new SharedArrayBuffer(threads * OWNER_BYTES),
  };
}

/** Bootstraps run by each thread so far (readable from any thread, e.g. the pool's main thread). */
export function pbsCounts(memory: BoardMemory): number[] {
  const control = new Int32Array(memory.control);
  return Array.from({ length: memory.threads }, (_, t) => Atomics.load(control, word(t, PBS)));
}

const word = (owner: number, field: number) => 1 + owner * OWNER_WORDS + field;

/** What a thread runs board jobs with (its `Bootstrapper`). */
export interface BoardKernels {
  bootstrap(input: BigUint64Array, lut: Lut): BigUint64Array;
  bootstrapPair(input: BigUint64Array, pairLut: Lut): [BigUint64Array, BigUint64Array];
  /** This thread's bootstrap count, published after each job so `pbsCounts` is exact once a batch is done. */
  readonly count: number;
}

/** One thread's side of the board. */
export class BatchBoard {
  private readonly control: Int32Array;
  /** The error of a failed own job, rethrown once the whole batch is accounted for. */
  private ownError: unknown;

  constructor(
    private readonly memory: BoardMemory,
    /** This thread's owner index. */
    private readonly self: number,
    private readonly kernels: BoardKernels,
  ) {
    this.control = new Int32Array(memory.control);
  }

  get threads(): number {
    return this.memory.threads;
  }

  /** Runs every job with the help of idle threads; returns each job's outputs (two for a pair), in order. */
  run(jobs: readonly BootstrapJob[]): BigUint64Array[][] {
    const outputs: BigUint64Array[][] = [];
    for (let start = 0; start < jobs.length; start += SLOTS) {
      outputs.push(...this.runChunk(jobs.slice(start, start + SLOTS)));
    }
    return outputs;
  }

  /** Runs jobs other owners published until none is left; false when there was none. */
  help(): boolean {
    let helped = false;
    for (let found = true; found; ) {
      found = false;
      for (let owner = 0; owner < this.memory.threads; owner++) {
        if (owner === this.self) continue;
        const slot = this.claim(owner);
        if (slot < 0) continue;
        this.runJob(owner, slot);
        found = helped = true;
      }
    }
    return helped;
  }

  /** Resolves when some owner publishes a batch after `seen` (a value of `workSeq()`). */
  waitForWork(seen: number): Promise<unknown> {
    const result = (Atomics as unknown as AtomicsWaitAsync).waitAsync(this.control, WORK_SEQ, seen);
    return result.async ? result.value : Promise.resolve();
  }

  workSeq(): number {
    return Atomics.load(this.control, WORK_SEQ);
  }

  /** Publishes this thread's bootstrap count for `pbsCounts`. */
  recordPbsCount(): void {
    Atomics.store(this.control, word(this.self, PBS), this.kernels.count);
  }

  private runChunk(jobs: readonly BootstrapJob[]): BigUint64Array[][] {
    const c = this.control;
    const self = this.self;
    jobs.forEach((job, slot) => {
      this.inputView(self, slot).set(job.input);
      this.tableView(self, slot).set(job.lut.table);
      this.pairFlag(self, slot)[0] = job.pair ? 1 : 0;
    });
    const base = Atomics.load(c, word(self, END));
    const doneTarget = Atomics.load(c, word(self, DONE)) + jobs.length;
    Atomics.store(c, word(self, FAILED), 0);
    this.ownError = undefined;
    Atomics.store(c, word(self, BASE), base);
    Atomics.store(c, word(self, END), base + jobs.length);
    Atomics.add(c, WORK_SEQ, 1);
    Atomics.notify(c, WORK_SEQ);
    for (let slot = this.claim(self); slot >= 0; slot = this.claim(self)) this.runJob(self, slot);
    for (
      let done = Atomics.load(c, word(self, DONE));
      done < doneTarget;
      done = Atomics.load(c, word(self, DONE))
    ) {
      Atomics.wait(c, word(self, DONE), done);
    }
    // Only now, with every ticket run, may the batch fail: the next one must start from a drained board.
    if (Atomics.load(c, word(self, FAILED)) !== 0) {
      throw this.ownError ?? new Error('a bootstrap of this batch failed on another pool thread');
    }
    return jobs.map((job, slot) =>
      job.pair
        ? [this.outputView(self, slot, 0).slice(), this.outputView(self, slot, 1).slice()]
        : [this.outputView(self, slot, 0).slice()],
    );
  }

  /** Claims the next job slot of `owner`'s current batch, or −1. */
  private claim(owner: number): number {
    const c = this.control;
    for (;;) {
      const next = Atomics.load(c, word(owner, NEXT));
      if (next >= Atomics.load(c, word(owner, END))) return -1;
      if (Atomics.compareExchange(c, word(owner, NEXT), next, next + 1) === next) {
        return next - Atomics.load(c, word(owner, BASE));
      }
    }
  }

  private runJob(owner: number, slot: number): void {
    const c = this.control;
    try {
      const table = this.tableView(owner, slot);
      const lut = lutOf((x) => table[x]!);
      const input = this.inputView(owner, slot);
      const outputs =
        this.pairFlag(owner, slot)[0] === 1
          ? this.kernels.bootstrapPair(input, lut)
          : [this.kernels.bootstrap(input, lut)];
      outputs.forEach((output, k) => {
        this.outputView(owner, slot, k).set(output);
      });
      this.recordPbsCount();
    } catch (error) {
      Atomics.store(c, word(owner, FAILED), 1);
      if (owner === this.self) this.ownError = error;
    } finally {
      Atomics.add(c, word(owner, DONE), 1);
      Atomics.notify(c, word(owner, DONE));
    }
  }

  private inputView(owner: number, slot: number): BigUint64Array {
    return new BigUint64Array(this.memory.data, owner * OWNER_BYTES + slot * SLOT_BYTES, BIG_LWE_SIZE);
  }

  /** Output `k` (1: a pair job's second LUT). */
  private outputView(owner: number, slot: number, k: number): BigUint64Array {
    return new BigUint64Array(
      this.memory.data,
      owner * OWNER_BYTES + slot * SLOT_BYTES + (1 + k) * LWE_BYTES,
      BIG_LWE_SIZE,
    );
  }

  private tableView(owner: number, slot: number): Uint8Array {
    return new Uint8Array(
      this.memory.data,
      owner * OWNER_BYTES + slot * SLOT_BYTES + TABLE_OFFSET,
      BLOCK_SPACE,
    );
  }

  private pairFlag(owner: number, slot: number): Uint8Array {
    return new Uint8Array(this.memory.data, owner * OWNER_BYTES + slot * SLOT_BYTES + PAIR_OFFSET, 1);
  }
}

/** `Atomics.waitAsync` (Node 16+), missing from the ES2022 lib typings. */
interface AtomicsWaitAsync {
  waitAsync(
    array: Int32Array,
    index: number,
    value: number,
  ): { async: true; value: Promise<unknown> } | { async: false; value: string };
}
