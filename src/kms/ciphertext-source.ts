import type { Hex } from 'viem';
import { FhekitError } from '../errors.js';
import type { FheType } from '../fhevm/fhe-types.js';

/** Where the KMS reads ciphertexts (the coprocessor store satisfies it). */
export interface CiphertextSource {
  getCiphertext(handle: Hex): Promise<{ type: FheType; bytes: Uint8Array } | null>;
  /** Computations producing `handle`; none means the coprocessor has not (yet) seen it. */
  computationsFor(
    handle: Hex,
  ): Promise<readonly { status: 'pending' | 'done' | 'error'; error: string | null }[]>;
  /** The coprocessor's queue, to say what a decryption that gave up is still waiting behind. */
  counts(): Promise<{ computations: { pending: number }; ready: number }>;
}

/** Whether the coprocessor has a ciphertext for the handle or knows a computation producing it. */
export async function isKnownHandle(source: CiphertextSource, handle: Hex): Promise<boolean> {
  return (await source.getCiphertext(handle)) !== null || (await source.computationsFor(handle)).length > 0;
}

export interface WaitOptions {
  /**
   * How long a handle may take to appear: listener lag plus the computations queued before it, which
   * can be minutes (one wide multiplication on one thread).
   */
  timeoutMs: number;
  pollMs?: number;
}

/**
 * Ciphertext bytes of every handle, in order: the one wait for ciphertexts (the KMS's). A handle still
 * being computed, or not yet seen by the listener, is waited for (bounded); a failed computation fails at
 * once. After the timeout the error says whether the handle was never seen, or what it is queued behind.
 */
export async function waitForCiphertexts(
  source: CiphertextSource,
  handles: readonly Hex[],
  options: WaitOptions,
): Promise<Uint8Array[]> {
  const { timeoutMs, pollMs = 100 } = options;
  const deadline = Date.now() + timeoutMs;
  const found = new Map<Hex, Uint8Array>();
  for (;;) {
    for (const handle of handles) {
      if (found.has(handle)) continue;
      const stored = await source.getCiphertext(handle);
      if (stored) found.set(handle, stored.bytes);
    }
    const missing = handles.filter((handle) => !found.has(handle));
    if (missing.length === 0) return handles.map((handle) => found.get(handle)!);
    await checkStillComing(source, missing, Date.now() >= deadline, timeoutMs);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

async function checkStillComing(
  source: CiphertextSource,
  missing: readonly Hex[],
  timedOut: boolean,
  timeoutMs: number,
): Promise<void> {
  for (const handle of missing) {
    const computations = await source.computationsFor(handle);
    if (computations.length > 0 && computations.every((c) => c.status === 'error')) {
      throw new FhekitError(
        'KMS_COMPUTATION_FAILED',
        `Computing handle ${handle} failed: ${computations[0]?.error}.`,
        {
          hint: 'See the coprocessor log; this is a bug in fhekit if the transaction succeeded on-chain.',
        },
      );
    }
    if (!timedOut) continue;
    if (computations.length === 0) {
      throw new FhekitError(
        'KMS_UNKNOWN_HANDLE',
        `No ciphertext and no computation for ${handle} after ${timeoutMs} ms.`,
        {
          hint: 'The coprocessor has not seen this handle: check that it comes from this stack’s chain and that the coprocessor is running.',
        },
      );
    }
    const { computations: queue, ready } = await source.counts();
    throw new FhekitError(
      'KMS_CIPHERTEXT_NOT_READY',
      `Handle ${handle} is still not computed after ${Math.round(timeoutMs / 1000)} s: its computation is ${computations.map((c) => c.status).join(', ')}, and the coprocessor has ${queue.pending} computations pending (${ready} of them ready to run or running).`,
      {
        hint: 'The coprocessor is busy (see `fhe dev status`): retry later, or wait longer with --decrypt-timeout (FHE_DECRYPT_TIMEOUT).',
      },
    );
  }
}
