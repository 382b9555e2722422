import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TfheClientKey } from 'node-tfhe';
import type { Abi, Address, Hex } from 'viem';
import { AllowedEventType, type CoprocessorStore } from '../../src/coprocessor/store.js';
import { FheType } from '../../src/fhevm/fhe-types.js';
import { SERIALIZATION_LIMIT } from '../../src/fhevm/limits.js';
import { loadKeyset } from '../../src/keys/load-keyset.js';
import { TEST_KEYS_DIR } from '../test-keys.js';

/** A temp directory removed by the returned cleanup. */
export function tempDir(prefix = 'fhekit-coprocessor-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A 32-byte value whose last byte is `n` (distinct, readable test hashes). */
export function hash32(n: number, tag = 0xaa): Hex {
  return `0x${tag.toString(16).padStart(2, '0').repeat(30)}${n.toString(16).padStart(4, '0')}`;
}

/** A computed handle (docs/fhevm-protocol.md §Handles): index 0xff, chain id 31337, type, version 0. */
export function handle(n: number, type: FheType = FheType.Uint8): Hex {
  const prehandle = n.toString(16).padStart(42, '0');
  const chainId = (31337).toString(16).padStart(16, '0');
  return `0x${prehandle}ff${chainId}${type.toString(16).padStart(2, '0')}00`;
}

export function scalar32(value: bigint): Hex {
  return `0x${value.toString(16).padStart(64, '0')}`;
}

/** Polls `check` until it returns a truthy value (returned), or fails after `timeoutMs`. */
export async function until<T>(
  check: () => Promise<T> | T,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A deployed fixture contract, as `transact` takes it. */
export type DeployedFixture = { address: Address; contract: { abi: Abi } };

/** The test keyset (made by the global setup): its directory, evaluation keys and node-tfhe client key. */
export function testKeyset(): { dir: string; evaluationKeys: Uint8Array; clientKey: TfheClientKey } {
  const keyset = loadKeyset(TEST_KEYS_DIR);
  return {
    dir: TEST_KEYS_DIR,
    evaluationKeys: keyset.read('evaluationKeys'),
    clientKey: TfheClientKey.safe_deserialize(keyset.read('clientKey'), SERIALIZATION_LIMIT),
  };
}

/** Whether the recorded ACL events allowed `handle` to `account` (the listener's rows, read back). */
export async function allowedTo(store: Pick<CoprocessorStore, 'allowedRows'>, handle: Hex, account: Hex) {
  return (await store.allowedRows(handle)).some(
    (row) => row.eventType === AllowedEventType.Allowed && row.account === account.toLowerCase(),
  );
}

/** Whether an AllowedForDecryption event was recorded for `handle`. */
export async function publiclyAllowed(store: Pick<CoprocessorStore, 'allowedRows'>, handle: Hex) {
  return (await store.allowedRows(handle)).some(
    (row) => row.eventType === AllowedEventType.AllowedForDecryption,
  );
}
