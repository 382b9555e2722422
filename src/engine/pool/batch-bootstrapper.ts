import type { EvaluationKeys } from '../evaluation-keys.js';
import type { BlindRotatorFactory } from '../pbs/blind-rotate.js';
import { type BootstrapJob, Bootstrapper } from '../pbs/bootstrap.js';
import type { KeyswitcherFactory } from '../pbs/keyswitch-kernel.js';
import { BatchBoard, type BoardMemory } from './batch-board.js';

/** A pool thread's bootstrapper: an op's independent bootstraps go to the board, where idle threads help. */
export class BatchBootstrapper extends Bootstrapper {
  readonly board: BatchBoard;

  constructor(
    keys: EvaluationKeys,
    blindRotator: BlindRotatorFactory,
    keyswitcher: KeyswitcherFactory,
    memory: BoardMemory,
    thread: number,
  ) {
    super(keys, blindRotator, keyswitcher);
    this.board = new BatchBoard(memory, thread, this);
  }

  override get threads(): number {
    return this.board.threads;
  }

  override bootstrapJobs(jobs: readonly BootstrapJob[]): BigUint64Array[][] {
    // Alone in the pool, publishing would only add copies.
    if (this.board.threads === 1 || jobs.length < 2) return super.bootstrapJobs(jobs);
    return this.board.run(jobs);
  }
}
