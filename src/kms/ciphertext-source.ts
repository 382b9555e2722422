import { setTimeout as sleep } from 'node:timers/promises';
import type { Hex } from 'viem';
import type { FheType } from '../engine/fhe-type.js';
import { FhekitError } from '../errors.js';

/** Where the KMS reads ciphertexts (the coprocessor store satisfies it). */
export interface CiphertextSource {
  getCiphertext(handle: Hex): Promise<{ type: FheType; bytes: Uint8Array } | null>;
  /** Computations producing `handle`; none means the coprocessor has never heard of it. */
  computationsFor(
    handle: Hex,
  ): Promise<readonly { status: 'pending' | 'done' | 'error'; error: string | null }[]>;
}

export interface WaitOptions {
  /** How long a handle whose computation is still running may take. */
  timeoutMs: number;
  pollMs?: number;
  /** After this long, a handle with neither a ciphertext nor a computation is reported unknown (listener lag). */
  unknownAfterMs?: number;
}

/**
 * Ciphertext bytes of every handle, in order. A handle still being computed is waited for (bounded);
 * an unknown handle, a failed computation or the timeout is a FhekitError naming the handle.
 */
export async function waitForCiphertexts(
  source: CiphertextSource,
  handles: readonly Hex[],
  options: WaitOptions,
): Promise<Uint8Array[]> {
  const { timeoutMs, pollMs = 100, unknownAfterMs = Math.min(2000, timeoutMs) } = options;
  const started = Date.now();
  const found = new Map<Hex, Uint8Array>();
  for (;;) {
    for (const handle of handles) {
      if (found.has(handle)) continue;
      const stored = await source.getCiphertext(handle);
      if (stored) found.set(handle, stored.bytes);
    }
    const missing = handles.filter((handle) => !found.has(handle));
    if (missing.length === 0) return handles.map((handle) => found.get(handle)!);

    const elapsed = Date.now() - started;
    if (elapsed >= unknownAfterMs) await checkStillComing(source, missing);
    if (elapsed >= timeoutMs) {
      throw new FhekitError(
        'KMS_CIPHERTEXT_NOT_READY',
        `Not computed after ${timeoutMs} ms: ${missing.join(', ')}.`,
        {
          hint: 'The coprocessor is still working on it; retry in a moment.',
        },
      );
    }
    await sleep(pollMs);
  }
}

async function checkStillComing(source: CiphertextSource, missing: readonly Hex[]): Promise<void> {
  for (const handle of missing) {
    const computations = await source.computationsFor(handle);
    if (computations.length === 0) {
      throw new FhekitError('KMS_UNKNOWN_HANDLE', `No ciphertext and no computation for handle ${handle}.`, {
        hint: 'The handle must come from a transaction on this stack’s chain (or an input verified by it).',
      });
    }
    const failed = computations.find((c) => c.status === 'error');
    if (failed && computations.every((c) => c.status === 'error')) {
      throw new FhekitError('KMS_COMPUTATION_FAILED', `Computing handle ${handle} failed: ${failed.error}.`, {
        hint: 'See the coprocessor log; this is a bug in fhekit if the transaction succeeded on-chain.',
      });
    }
  }
}
