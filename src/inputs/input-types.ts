import { ProvenCompactCiphertextList } from 'node-tfhe';
import { FhekitError } from '../errors.js';
import { type FheType, isFheType } from '../fhevm/fhe-types.js';
import { SERIALIZATION_LIMIT } from '../fhevm/limits.js';

/**
 * Reads the type of each value of a client's serialized ProvenCompactCiphertextList (node-tfhe's
 * FheTypes codes 0…11 are the fhEVM ones). Cheap: nothing is verified or expanded yet.
 */
export function readInputTypes(bytes: Uint8Array): FheType[] {
  let list: ProvenCompactCiphertextList;
  try {
    list = ProvenCompactCiphertextList.safe_deserialize(bytes, SERIALIZATION_LIMIT);
  } catch (cause) {
    throw new FhekitError('INPUT_MALFORMED', 'The input is not a serialized ProvenCompactCiphertextList.', {
      hint: 'Send the bytes `createEncryptedInput(...).encrypt()` builds with this stack’s public key and CRS.',
      cause,
    });
  }
  try {
    return Array.from({ length: list.len() }, (_, i) => {
      const kind = list.get_kind_of(i);
      if (kind !== undefined && isFheType(kind)) return kind;
      throw new FhekitError('INPUT_UNSUPPORTED_TYPE', `Input value ${i} has unsupported type ${kind}.`, {
        hint: 'Inputs may hold ebool, euint8 … euint256 and eaddress values.',
      });
    });
  } finally {
    list.free();
  }
}
