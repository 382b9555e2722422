import { setTimeout as sleep } from 'node:timers/promises';
import type { Hex, PublicClient } from 'viem';
import type { CoprocessorStore } from '../coprocessor/store.js';
import { FhekitError } from '../errors.js';
import { isKnownHandle, waitForCiphertexts } from '../kms/ciphertext-source.js';

const ZERO_HANDLE = `0x${'0'.repeat(64)}`;

export interface WaitForStoredHandlesOptions {
  publicClient: Pick<PublicClient, 'getBlock'>;
  store: Pick<CoprocessorStore, 'getCursor' | 'getCiphertext' | 'computationsFor' | 'counts'>;
  handles: readonly Hex[];
  timeoutMs: number;
  pollMs?: number;
}

/**
 * Waits until the listener has ingested the chain's current head (so every transaction a test sent is
 * known), then for the handles' ciphertexts. A handle the caught-up coprocessor does not know (never
 * produced on this chain, or produced in a snapshot that was reverted) fails at once instead of
 * waiting; a failed computation fails at once too. Every error names the handle.
 */
export async function waitForStoredHandles(options: WaitForStoredHandlesOptions): Promise<void> {
  const { store, handles, timeoutMs, pollMs = 25 } = options;
  for (const handle of handles) {
    if (handle.toLowerCase() === ZERO_HANDLE) {
      throw new FhekitError(
        'FHE_HANDLE_UNINITIALIZED',
        `Handle ${handle} is bytes32(0): no value was ever stored.`,
        {
          hint: 'The contract has not assigned this encrypted variable yet; check for 0x00…00 before decrypting.',
        },
      );
    }
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const head = await options.publicClient.getBlock({ blockTag: 'latest' });
    const cursor = await store.getCursor();
    if (cursor && cursor.number === Number(head.number) && cursor.hash === head.hash) break;
    if (Date.now() >= deadline) {
      throw new FhekitError(
        'FHE_LISTENER_BEHIND',
        `The coprocessor has not caught up with block ${head.number} after ${timeoutMs} ms (at ${cursor?.number ?? 'none'}).`,
        { hint: 'See the fhekit log for listener errors.' },
      );
    }
    await sleep(pollMs);
  }
  for (const handle of handles) {
    if (!(await isKnownHandle(store, handle))) {
      throw new FhekitError(
        'FHE_HANDLE_UNKNOWN',
        `Handle ${handle} was not produced on this chain: no transaction emitted it and no input proof created it.`,
        {
          hint: 'Decrypt a handle read from the chain after the transaction that made it (one made in a reverted snapshot is gone).',
        },
      );
    }
  }
  await waitForCiphertexts(store, handles, { timeoutMs: Math.max(0, deadline - Date.now()), pollMs });
}
