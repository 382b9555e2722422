import { describe, expect, it } from 'vitest';
import { waitForStoredHandles } from '../../src/hardhat/handle-waiter.js';

const HANDLE = `0x${'ab'.repeat(30)}0200` as const;
const HEAD = { number: 5n, hash: '0x05' as const };

/** A store and chain in the states the waiter must tell apart (a unit-test double of both). */
function fixture(options: { cursor: number; ciphertext?: boolean; computation?: 'pending' | 'error' }) {
  return {
    publicClient: { getBlock: async () => HEAD } as never,
    store: {
      getCursor: async () => ({
        number: options.cursor,
        hash: options.cursor === 5 ? ('0x05' as const) : ('0x04' as const),
      }),
      getCiphertext: async () =>
        options.ciphertext ? ({ type: 2, bytes: new Uint8Array(1) } as never) : null,
      computationsFor: async () =>
        options.computation ? ([{ status: options.computation, error: 'engine exploded' }] as never) : [],
      counts: async () => ({ computations: { pending: 1 }, ready: 0 }) as never,
    },
  };
}

describe('waitForStoredHandles', () => {
  it('resolves once the listener is at the head and the ciphertext is stored', async () => {
    await expect(
      waitForStoredHandles({
        ...fixture({ cursor: 5, ciphertext: true }),
        handles: [HANDLE],
        timeoutMs: 1000,
      }),
    ).resolves.toBeUndefined();
  });

  it('fails at once with FHE_HANDLE_UNKNOWN for a handle no transaction produced', async () => {
    const started = Date.now();
    await expect(
      waitForStoredHandles({ ...fixture({ cursor: 5 }), handles: [HANDLE], timeoutMs: 10_000 }),
    ).rejects.toMatchObject({ code: 'FHE_HANDLE_UNKNOWN', message: expect.stringContaining(HANDLE) });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('reports a failed computation with the handle', async () => {
    await expect(
      waitForStoredHandles({
        ...fixture({ cursor: 5, computation: 'error' }),
        handles: [HANDLE],
        timeoutMs: 1000,
      }),
    ).rejects.toMatchObject({ code: 'KMS_COMPUTATION_FAILED', message: expect.stringContaining(HANDLE) });
  });

  it('bounds the wait for a listener that does not catch up, and says what it waited for', async () => {
    await expect(
      waitForStoredHandles({ ...fixture({ cursor: 4 }), handles: [HANDLE], timeoutMs: 100 }),
    ).rejects.toMatchObject({ code: 'FHE_LISTENER_BEHIND', message: expect.stringContaining('block 5') });
  });

  it('names bytes32(0) as an uninitialised value', async () => {
    await expect(
      waitForStoredHandles({ ...fixture({ cursor: 5 }), handles: [`0x${'0'.repeat(64)}`], timeoutMs: 100 }),
    ).rejects.toMatchObject({ code: 'FHE_HANDLE_UNINITIALIZED' });
  });
});
