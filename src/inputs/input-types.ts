import { ProvenCompactCiphertextList } from 'node-tfhe';
import { FhekitError } from '../errors.js';
import { type FheType, isFheType } from '../fhevm/fhe-types.js';
import { SERIALIZATION_LIMIT } from '../fhevm/limits.js';

/** A list's last field is its tag, `u32 version 0 · u64 length · bytes`; the SDK leaves it empty. */
const EMPTY_TAG = new Uint8Array(12);

/**
 * Reads the type of each value of a client's serialized ProvenCompactCiphertextList (node-tfhe's
 * FheTypes codes 0…11 are the fhEVM ones). Cheap: nothing is verified or expanded yet.
 * The bytes must be the list's canonical encoding with an empty tag, as the SDK builds it: node-tfhe
 * ignores trailing bytes and the proof does not cover the tag (which node-tfhe copies into every
 * expanded value), and since the handles hash the whole blob, every variant of one proof would
 * otherwise be a new input.
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
    if (!sameBytes(list.safe_serialize(SERIALIZATION_LIMIT), bytes)) {
      throw new FhekitError(
        'INPUT_NOT_CANONICAL',
        'The input is not the canonical encoding of a ProvenCompactCiphertextList (extra or altered bytes).',
        { hint: 'Send exactly the bytes `createEncryptedInput(...).encrypt()` builds, nothing appended.' },
      );
    }
    if (!sameBytes(bytes.subarray(bytes.length - EMPTY_TAG.length), EMPTY_TAG)) {
      throw new FhekitError('INPUT_NOT_CANONICAL', 'The input list carries a tag; the SDK never sets one.', {
        hint: 'Send exactly the bytes `createEncryptedInput(...).encrypt()` builds.',
      });
    }
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

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
