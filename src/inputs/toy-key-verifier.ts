import {
  type CompactPkeCrs,
  ProvenCompactCiphertextList,
  Shortint,
  ShortintCompactPublicKeyEncryptionParameters,
  ShortintCompactPublicKeyEncryptionParametersName,
  ShortintEncryptionKeyChoice,
  set_server_key,
  TfheClientKey,
  type TfheCompactPublicKey,
  TfheConfigBuilder,
  TfheServerKey,
} from 'node-tfhe';
import { FhekitError } from '../errors.js';
import { SERIALIZATION_LIMIT } from '../fhevm/limits.js';

/** Checks the ZK proof of a serialized proven list against our CRS, public key and the 92-byte metadata. */
export interface InputProofVerifier {
  /** Rejects with INPUT_PROOF_INVALID if the proof does not hold for this metadata. */
  verify(list: Uint8Array, metadata: Uint8Array): Promise<void>;
}

/**
 * node-tfhe only verifies as part of `verify_and_expand`, which casts every block with the server key
 * (~0.6 s per block with the real key). The proof check depends only on the CRS, the public key and the
 * metadata, so we run it under a throwaway key with tiny compute parameters (same PKE parameters) and
 * discard its garbage expansion, ~2-3 s for any list (docs/tfhe-formats.md §Input proof verification).
 */
export function createToyKeyProofVerifier(
  publicKey: TfheCompactPublicKey,
  crs: CompactPkeCrs,
): InputProofVerifier {
  const toyServerKey = TfheServerKey.new(TfheClientKey.generate(toyConfig()));
  return {
    async verify(bytes, metadata) {
      let list: ProvenCompactCiphertextList;
      try {
        list = ProvenCompactCiphertextList.safe_deserialize(bytes, SERIALIZATION_LIMIT);
      } catch (cause) {
        throw new FhekitError(
          'INPUT_MALFORMED',
          'The input is not a serialized ProvenCompactCiphertextList.',
          {
            hint: 'Send the bytes the SDK’s createEncryptedInput(...).encrypt() builds.',
            cause,
          },
        );
      }
      // set_server_key is per thread and the real expander uses another key: set ours each time.
      set_server_key(toyServerKey);
      try {
        list.verify_and_expand(crs, publicKey, metadata).free();
      } catch (cause) {
        throw new FhekitError('INPUT_PROOF_INVALID', `Input proof rejected: ${String(cause)}.`, {
          hint: 'The proof must be built with this stack’s public key and CRS, for the same contract, user, ACL and chain id.',
          cause,
        });
      } finally {
        list.free();
      }
    },
  };
}

function toyConfig() {
  const noNoise = Shortint.try_new_t_uniform(0);
  // n=16, N=256, one 2^16 level everywhere: only the message/carry moduli must match the real parameters.
  const compute = Shortint.new_parameters(
    16,
    1,
    256,
    noNoise,
    noNoise,
    16,
    1,
    16,
    1,
    4n,
    4n,
    5n,
    -129,
    64,
    ShortintEncryptionKeyChoice.Big,
  );
  const pke = new ShortintCompactPublicKeyEncryptionParameters(
    ShortintCompactPublicKeyEncryptionParametersName.PARAM_PKE_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128,
  );
  return TfheConfigBuilder.with_custom_parameters(compute)
    .use_dedicated_compact_public_key_parameters(pke)
    .build();
}
