import {
  FheBool,
  FheUint8,
  FheUint16,
  FheUint32,
  FheUint64,
  FheUint128,
  FheUint160,
  FheUint256,
  type TfheClientKey,
} from 'node-tfhe';
import { FheType } from '../fhevm/fhe-types.js';
import { SERIALIZATION_LIMIT } from '../fhevm/limits.js';

/**
 * node-tfhe with the client key: encryption and decryption of fhEVM-typed values in the bytes form
 * fhekit stores (`safe_serialize`). Used by the local KMS, `fhe compute`, and tests as the oracle.
 */
interface TfheValueClass {
  encrypt_with_client_key(value: never, key: TfheClientKey): { safe_serialize(limit: bigint): Uint8Array };
  safe_deserialize(
    bytes: Uint8Array,
    limit: bigint,
  ): { decrypt(key: TfheClientKey): boolean | number | bigint };
}

const CLASSES: Record<FheType, TfheValueClass> = {
  [FheType.Bool]: FheBool as unknown as TfheValueClass,
  [FheType.Uint8]: FheUint8 as unknown as TfheValueClass,
  [FheType.Uint16]: FheUint16 as unknown as TfheValueClass,
  [FheType.Uint32]: FheUint32 as unknown as TfheValueClass,
  [FheType.Uint64]: FheUint64 as unknown as TfheValueClass,
  [FheType.Uint128]: FheUint128 as unknown as TfheValueClass,
  [FheType.Uint160]: FheUint160 as unknown as TfheValueClass,
  [FheType.Uint256]: FheUint256 as unknown as TfheValueClass,
};

/** node-tfhe takes JS numbers up to 32 bits, bigints above, booleans for Bool. */
function toTfheValue(type: FheType, value: bigint): boolean | number | bigint {
  if (type === FheType.Bool) return value !== 0n;
  if (type === FheType.Uint8 || type === FheType.Uint16 || type === FheType.Uint32) return Number(value);
  return value;
}

export function encryptWithClientKey(type: FheType, value: bigint, clientKey: TfheClientKey): Uint8Array {
  const cls = CLASSES[type];
  return cls
    .encrypt_with_client_key(toTfheValue(type, value) as never, clientKey)
    .safe_serialize(SERIALIZATION_LIMIT);
}

export function decryptWithClientKey(type: FheType, bytes: Uint8Array, clientKey: TfheClientKey): bigint {
  const value = CLASSES[type].safe_deserialize(bytes, SERIALIZATION_LIMIT).decrypt(clientKey);
  return typeof value === 'boolean' ? (value ? 1n : 0n) : BigInt(value);
}
