import {
  ShortintCompactPublicKeyEncryptionParameters,
  ShortintCompactPublicKeyEncryptionParametersName,
  ShortintParameters,
  ShortintParametersName,
  type TfheConfig,
  TfheConfigBuilder,
} from 'node-tfhe';
import { MAX_INPUT_BITS } from '../fhevm/limits.js';

/** Block parameters of the fhEVM compute keys, node-tfhe 1.4 name (docs/tfhe-formats.md §Parameters). */
export const COMPUTE_PARAMETERS = 'PARAM_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128';
/** Dedicated compact-public-key parameters for ZK-proven inputs (ZK v2, casting to the small key). */
export const PKE_PARAMETERS = 'PARAM_PKE_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128';
/** The only CRS capacity the relayer SDK accepts. */
export const CRS_BITS = MAX_INPUT_BITS;

export function fhevmTfheConfig(): TfheConfig {
  return TfheConfigBuilder.with_custom_parameters(
    new ShortintParameters(ShortintParametersName[COMPUTE_PARAMETERS]),
  )
    .use_dedicated_compact_public_key_parameters(
      new ShortintCompactPublicKeyEncryptionParameters(
        ShortintCompactPublicKeyEncryptionParametersName[PKE_PARAMETERS],
      ),
    )
    .build();
}
