import { FhekitError, isFhekitError } from '../errors.js';

const PROBE_TIMEOUT_MS = 3_000;

/**
 * Fails with FHE_STACK_UNREACHABLE, naming the URL, when the chain or the relayer API refuses
 * connections: a stack that is down never starts answering, so retrying until a timeout only hides it.
 * Any HTTP answer (even an error status) counts as reachable.
 */
export async function assertStackReachable(urls: { rpcUrl: string; apiUrl: string }): Promise<void> {
  for (const [url, what] of [
    [urls.rpcUrl, 'chain RPC'],
    [urls.apiUrl, 'relayer API'],
  ] as const) {
    try {
      await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    } catch (error) {
      const code = (error as { cause?: { code?: string } }).cause?.code;
      throw new FhekitError(
        'FHE_STACK_UNREACHABLE',
        `Nothing answers at ${url} (${what}): ${code === 'ECONNREFUSED' ? 'connection refused' : (error as Error).message}.`,
        {
          hint: 'Start the stack with `fhe dev up` (or pass the right --rpc-url / --api-url).',
          cause: error,
        },
      );
    }
  }
}

export function isStackUnreachable(error: unknown): boolean {
  return isFhekitError(error) && error.code === 'FHE_STACK_UNREACHABLE';
}
