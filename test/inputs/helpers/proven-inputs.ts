import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProvenCompactCiphertextList, ZkComputeLoad } from 'node-tfhe';
import { FheType } from '../../../src/fhevm/fhe-types.js';
import { SERIALIZATION_LIMIT } from '../../../src/fhevm/limits.js';
import type { TestKeys } from './test-keys.js';

export type InputValue = { type: FheType; value: bigint };

/** Built proofs are kept here: one proof costs ~12 s of the 2 cores the whole team shares. */
const CACHE_DIR = fileURLToPath(new URL('../../../.cache/test-proofs', import.meta.url));

/**
 * A real ProvenCompactCiphertextList of `values` bound to `metadata`, built with node-tfhe the way the
 * SDK builds it, and cached on disk by (public key, CRS, values, metadata).
 */
export function provenInput(keys: TestKeys, values: readonly InputValue[], metadata: Uint8Array): Uint8Array {
  const key = createHash('sha256')
    .update(keys.publicKeyBytes)
    .update(keys.crsBytes.subarray(0, 4096))
    .update(JSON.stringify(values.map((v) => [v.type, v.value.toString()])))
    .update(metadata)
    .digest('hex');
  const file = join(CACHE_DIR, `${key}.bin`);
  if (existsSync(file)) return new Uint8Array(readFileSync(file));

  const builder = ProvenCompactCiphertextList.builder(keys.publicKey);
  for (const { type, value } of values) push(builder, type, value);
  const list = builder.build_with_proof_packed(keys.crs, metadata, ZkComputeLoad.Verify);
  const bytes = list.safe_serialize(SERIALIZATION_LIMIT);
  list.free();
  mkdirSync(CACHE_DIR, { recursive: true });
  writeFileSync(file, bytes);
  return bytes;
}

type Builder = ReturnType<typeof ProvenCompactCiphertextList.builder>;

function push(builder: Builder, type: FheType, value: bigint): void {
  switch (type) {
    case FheType.Bool:
      builder.push_boolean(value !== 0n);
      break;
    case FheType.Uint8:
      builder.push_u8(Number(value));
      break;
    case FheType.Uint16:
      builder.push_u16(Number(value));
      break;
    case FheType.Uint32:
      builder.push_u32(Number(value));
      break;
    case FheType.Uint64:
      builder.push_u64(value);
      break;
    case FheType.Uint128:
      builder.push_u128(value);
      break;
    case FheType.Uint160:
      builder.push_u160(value);
      break;
    case FheType.Uint256:
      builder.push_u256(value);
      break;
  }
}
