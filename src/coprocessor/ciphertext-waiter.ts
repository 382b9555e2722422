import type { Hex } from 'viem';
import { FhekitError } from '../errors.js';
import type { CoprocessorStore, StoredCiphertext } from './store.js';

/**
 * Lets other modules (decryption) await a handle's ciphertext. The scheduler `notify`s when it stores
 * one; the store is also polled, because inputs may be inserted by another module or process.
 */
export class CiphertextWaiter {
  private readonly waiters = new Map<Hex, Set<() => void>>();

  constructor(
    private readonly store: CoprocessorStore,
    private readonly pollIntervalMs = 100,
  ) {}

  notify(handle: Hex): void {
    for (const wake of this.waiters.get(handle) ?? []) wake();
  }

  /**
   * Resolves with the ciphertext once it exists. Rejects with FHE_COMPUTATION_FAILED if every
   * computation producing it ended in error, or FHE_CIPHERTEXT_TIMEOUT after `timeoutMs`.
   */
  async wait(handle: Hex, timeoutMs: number): Promise<StoredCiphertext> {
    const key = handle.toLowerCase() as Hex;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const ciphertext = await this.store.getCiphertext(key);
      if (ciphertext) return ciphertext;
      const producers = await this.store.computationsFor(key);
      if (producers.length > 0 && producers.every((c) => c.status === 'error')) {
        throw new FhekitError(
          'FHE_COMPUTATION_FAILED',
          `The computation of ${key} failed: ${producers[0]?.error}`,
          {
            hint: 'See the coprocessor log for the engine error; `fhe dev status` lists failed computations.',
          },
        );
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new FhekitError('FHE_CIPHERTEXT_TIMEOUT', `No ciphertext for ${key} after ${timeoutMs} ms.`, {
          hint:
            producers.length > 0
              ? 'Its computation is still queued or running; wait longer or check `fhe dev status`.'
              : 'No event produced this handle on this chain yet: check the handle, and that its input proof was verified.',
        });
      }
      await this.sleepUntilNotified(key, Math.min(remaining, this.pollIntervalMs));
    }
  }

  private sleepUntilNotified(handle: Hex, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const set = this.waiters.get(handle) ?? new Set();
      this.waiters.set(handle, set);
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0) this.waiters.delete(handle);
        resolve();
      };
      const timer = setTimeout(done, ms);
      set.add(done);
    });
  }
}
